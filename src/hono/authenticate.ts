import type { Context, Env, MiddlewareHandler } from 'hono'
import type { AuthServices } from '../managers/auth-services.ts'
import { ConfigError } from '../managers/errors.ts'
import type { AuthenticationInfo } from '../managers/types.ts'
import { resolveAuth, type AuthSource } from './cache.ts'
import { clearCookie, clearingLine } from './cookie-lines.ts'
import { presentedCredential } from './credential.ts'
import { dpopChallenges, validateWithProof, type RequestUrl } from './dpop.ts'
import { httpError, toHttpError } from './errors.ts'
import type { TokenCookies } from './token-cookies.ts'
import { eventOptions, type EventContextOf } from './request-events.ts'

/** What `authenticate` puts on the context: `c.var.auth`, the raw token it was validated from, and its realm. */
export interface AuthVariables {
  auth: AuthenticationInfo
  /** The presented access/session token, e.g. to forward it. Never log it. */
  authToken: string
  /** The `realm` of this request's challenges (`requireScopes` answers with it). */
  authRealm: string
}

/** With `optional: true`, `auth` and `authToken` are `null` for a request that carries no credentials. */
export interface OptionalAuthVariables {
  auth: AuthenticationInfo | null
  authToken: string | null
  authRealm: string
}

export interface AuthenticateOptions<E extends Env = any> {
  /** The services from `initializeAuthServices`, or `(c) => services` (see `cachePerEnv`). */
  auth: AuthSource<E>
  /**
   * Cookie mode (`tokenCookies()`): also read the token from its session cookie when there is no
   * `Authorization: Bearer` header, with its cross-site rule. A cookie whose token is invalid, expired or
   * revoked is cleared in the response.
   */
  cookies?: TokenCookies
  /**
   * Let requests without valid credentials through (`c.var.auth === null`): none at all, or a dead cookie
   * (cleared, so a stale cookie never locks anyone out of a public page). A bad token in the
   * `Authorization` header still gets 401: the client chose to send it.
   */
  optional?: boolean
  /** The `realm` of the `WWW-Authenticate` challenge. Default `"api"`. */
  realm?: string
  /**
   * The URL the client addressed, which DPoP proofs sign (`htu`). Default `c.req.url`; behind a proxy that
   * changes the scheme or host, return the public URL, e.g. `` (c) => `https://api.example.com${new URL(c.req.url).pathname}` ``.
   */
  requestUrl?: RequestUrl
  /** The `context` of the events this middleware's validations emit. Default {@link requestContext}: IP and user agent. */
  eventContext?: EventContextOf
}

/** The DPoP challenge for a request without credentials, when DPoP is configured; a failing factory shows up elsewhere. */
async function missingChallenges(auth: AuthSource<any>, c: Context<any>, realm: string): Promise<string[]> {
  try {
    return await dpopChallenges(resolveAuth(auth, c), realm)
  } catch {
    return []
  }
}

/**
 * Validates the request's token with `auth.tokenManager` (JWT or session, whichever fits) and sets
 * `c.var.auth`. With `JwtConfig({ dpop })`, `Authorization: DPoP <token>` plus a `DPoP` proof header is
 * accepted for bound tokens (RFC 9449 §7), a bound token sent as Bearer is refused, and challenges add
 * `WWW-Authenticate: DPoP algs="…"`; a refused proof is 401 `invalid_dpop_proof` or `use_dpop_nonce`
 * with `DPoP-Nonce`. Answers as RFC 6750 says: no token → 401 `Bearer realm="…"`; bad, expired or revoked
 * token → 401 `error="invalid_token"`; malformed header → 400 `error="invalid_request"`; token store
 * down → 503 with `Retry-After`, never 401. Bodies are JSON `{ error, code }`, never the token.
 *
 * @example
 * ```ts
 * const app = new Hono<{ Variables: AuthVariables }>()
 * app.use('/api/*', authenticate({ auth }))
 * app.get('/api/me', (c) => c.json({ userId: c.var.auth.userIdentifier }))
 *
 * // Public page that greets signed-in users (cookie mode: `cookies = tokenCookies()`):
 * app.get('/', authenticate({ auth, optional: true, cookies }), (c) => c.text(c.var.auth ? 'hi' : 'welcome'))
 * ```
 */
export function authenticate<E extends Env = any>(options: AuthenticateOptions<E> & { optional: true }): MiddlewareHandler<{ Variables: OptionalAuthVariables }>
export function authenticate<E extends Env = any>(options: AuthenticateOptions<E>): MiddlewareHandler<{ Variables: AuthVariables }>
export function authenticate<E extends Env = any>(options: AuthenticateOptions<E>): MiddlewareHandler<any> {
  // Earlier versions took `cookie: name` and `csrf`: a cookie read without its cookie mode's rule.
  if ('cookie' in options || 'csrf' in options) {
    throw new ConfigError('authenticate takes `cookies: tokenCookies({ session, csrf })` (the same object as authRoutes), not `cookie` or `csrf`.')
  }
  const realm = options.realm ?? 'api'
  const { cookies, optional = false } = options
  const noContext = { known: false }
  return async function authenticateMiddleware(c: Context<{ Variables: OptionalAuthVariables }>, next) {
    c.set('authRealm', realm)
    const presented = presentedCredential(c, cookies, realm)
    const anonymous = () => {
      c.set('auth', null)
      c.set('authToken', null)
      return next()
    }
    if (presented === null) {
      if (!optional) throw httpError('ERR_TOKEN_MISSING', { realm, challenges: await missingChallenges(options.auth, c, realm) })
      return anonymous()
    }
    let services: AuthServices<any>
    try {
      services = resolveAuth(options.auth, c as unknown as Context<E>)
    } catch (error) {
      throw toHttpError(error)
    }
    const { token, fromCookie, dpop } = presented
    const callOptions = eventOptions(c, services, noContext, options.eventContext)
    // guard(), inlined: one async layer less per request (microtasks are a visible share of a cache hit).
    let info: AuthenticationInfo | null
    try {
      info = dpop
        ? await validateWithProof(c, services, token, realm, callOptions ?? {}, options.requestUrl)
        : await services.tokenManager.validateToken(token, callOptions)
    } catch (error) {
      throw toHttpError(error)
    }
    if (!info) {
      // A dead cookie is dropped, whatever happens next: the page cannot (HttpOnly), and it would fail forever.
      if (fromCookie && optional) {
        clearCookie(c, cookies!.session, '/')
        return anonymous()
      }
      throw httpError('ERR_TOKEN_INVALID', {
        realm, challenges: await dpopChallenges(services, realm, dpop ? 'invalid_token' : undefined),
        ...(fromCookie && { setCookie: [clearingLine(cookies!.session, '/')] }),
      })
    }
    c.set('auth', info)
    c.set('authToken', token)
    await next()
  }
}
