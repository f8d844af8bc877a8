import type { Context, Env, MiddlewareHandler } from 'hono'
import { getCookie } from 'hono/cookie'
import type { AuthenticationInfo, ValidateTokenOptions } from '../managers/types.ts'
import { resolveAuth, type AuthSource } from './cache.ts'
import { clearCookie, crossSiteGuard, type CsrfOptions } from './cookie.ts'
import { httpError, toHttpError } from './errors.ts'

/** What `authenticate` puts on the context: `c.var.auth` and the raw token it was validated from. */
export interface AuthVariables {
  auth: AuthenticationInfo
  /** The presented access/session token, e.g. to forward it. Never log it. */
  authToken: string
}

/** With `optional: true`, both are `null` for a request that carries no credentials. */
export interface OptionalAuthVariables {
  auth: AuthenticationInfo | null
  authToken: string | null
}

export interface AuthenticateOptions<E extends Env = any> {
  /** The services from `initializeAuthServices`, or `(c) => services` (see `cachePerEnv`). */
  auth: AuthSource<E>
  /**
   * Also read the token from this cookie when there is no `Authorization: Bearer` header. A cookie whose
   * token is invalid, expired or revoked is cleared in the response.
   */
  cookie?: string
  /**
   * Let requests without valid credentials through (`c.var.auth === null`): none at all, or a dead cookie
   * (cleared, so a stale or planted cookie never locks anyone out of a public page). A bad token in the
   * `Authorization` header still gets 401: the client chose to send it.
   */
  optional?: boolean
  /** Cross-site protection for cookie-authenticated writes; on by default (see {@link CsrfOptions}). */
  csrf?: CsrfOptions
  /** The `realm` of the `WWW-Authenticate` challenge. Default `"api"`. */
  realm?: string
}

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const bearerCredentials = /^[A-Za-z0-9\-._~+/]+=*$/

// requireScopes answers with the realm of the authenticate() that ran before it on the same request.
const realms = new WeakMap<Context, string>()
// Requests on which authenticate() found a dead cookie and cleared it (the sign-out routes answer 204).
const clearedCookies = new WeakSet<Context>()

/** @internal Whether `authenticate` cleared a dead cookie on this request. */
export function clearedDeadCookie(c: Context): boolean {
  return clearedCookies.has(c)
}

/** @internal The realm `authenticate` used for this request, for `requireScopes`. */
export function realmOf(c: Context): string {
  return realms.get(c) ?? 'api'
}

/** The token from the Authorization header (Bearer, RFC 6750 §2.1), else the cookie; `null` if none. */
function presentedToken(c: Context, cookie: string | undefined, realm: string): { token: string; fromCookie: boolean } | null {
  const header = c.req.header('authorization')?.trim()
  if (header) {
    const space = header.search(/\s/)
    const scheme = space === -1 ? header : header.slice(0, space)
    // Another scheme (Basic, …) is no bearer credential: RFC 6750 §3.1 treats it as "no token".
    if (scheme.toLowerCase() === 'bearer') {
      const credentials = space === -1 ? '' : header.slice(space).trim()
      if (!bearerCredentials.test(credentials)) {
        throw httpError('ERR_AUTHORIZATION_MALFORMED', { realm })
      }
      return { token: credentials, fromCookie: false }
    }
  }
  const fromCookie = cookie ? getCookie(c, cookie) : undefined
  return fromCookie ? { token: fromCookie, fromCookie: true } : null
}

/**
 * `c.executionCtx.waitUntil` where the runtime has one. Hono's getter throws where there is none (Node,
 * Deno, Bun), and a throw per request costs tens of microseconds there: `noContext` remembers, per
 * middleware, that this runtime has none.
 */
function waitUntilOf(c: Context, noContext: { known: boolean }): ValidateTokenOptions['waitUntil'] {
  if (noContext.known) return undefined
  try {
    const executionCtx = c.executionCtx
    return (promise) => executionCtx.waitUntil(promise)
  } catch {
    noContext.known = true
    return undefined
  }
}

/**
 * Validates the request's token with `auth.tokenManager` (JWT or session, whichever fits) and sets
 * `c.var.auth`. Answers as RFC 6750 says: no token → 401 `Bearer realm="…"`; bad, expired or revoked
 * token → 401 `error="invalid_token"`; malformed header → 400 `error="invalid_request"`; token store
 * down → 503 with `Retry-After`, never 401. Bodies are JSON `{ error, code }`, never the token.
 *
 * @example
 * ```ts
 * const app = new Hono<{ Variables: AuthVariables }>()
 * app.use('/api/*', authenticate({ auth }))
 * app.get('/api/me', (c) => c.json({ userId: c.var.auth.userIdentifier }))
 *
 * // Public page that greets signed-in users:
 * app.get('/', authenticate({ auth, optional: true, cookie: 'session' }), (c) => c.text(c.var.auth ? 'hi' : 'welcome'))
 * ```
 */
export function authenticate<E extends Env = any>(options: AuthenticateOptions<E> & { optional: true }): MiddlewareHandler<{ Variables: OptionalAuthVariables }>
export function authenticate<E extends Env = any>(options: AuthenticateOptions<E>): MiddlewareHandler<{ Variables: AuthVariables }>
export function authenticate<E extends Env = any>(options: AuthenticateOptions<E>): MiddlewareHandler<any> {
  const realm = options.realm ?? 'api'
  const { cookie, optional = false } = options
  const noContext = { known: false }
  const refuseCrossSite = crossSiteGuard(options.csrf)
  return async function authenticateMiddleware(c: Context<{ Variables: OptionalAuthVariables }>, next) {
    realms.set(c, realm)
    const presented = presentedToken(c, cookie, realm)
    const anonymous = () => {
      c.set('auth', null)
      c.set('authToken', null)
      return next()
    }
    if (presented === null) {
      if (!optional) throw httpError('ERR_TOKEN_MISSING', { realm })
      return anonymous()
    }
    const { token, fromCookie } = presented
    if (fromCookie) refuseCrossSite(c)
    const waitUntil = waitUntilOf(c, noContext)
    // guard(), inlined: one async layer less per request (microtasks are a visible share of a cache hit).
    let info: AuthenticationInfo | null
    try {
      info = await resolveAuth(options.auth, c as unknown as Context<E>).tokenManager.validateToken(token, waitUntil ? { waitUntil } : undefined)
    } catch (error) {
      throw toHttpError(error)
    }
    if (!info) {
      // A dead cookie is dropped, whatever happens next: the page cannot (HttpOnly), and it would fail forever.
      const clear = fromCookie ? clearCookie(c, cookie!) : undefined
      if (clear) {
        clearedCookies.add(c)
        if (optional) return anonymous()
      }
      throw httpError('ERR_TOKEN_INVALID', { realm, ...(clear && { headers: clear }) })
    }
    c.set('auth', info)
    c.set('authToken', token)
    await next()
  }
}
