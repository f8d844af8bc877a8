import type { Context, Env, MiddlewareHandler } from 'hono'
import { getCookie } from 'hono/cookie'
import type { AuthenticationInfo, ValidateTokenOptions } from '../managers/types.ts'
import { resolveAuth, type AuthSource } from './cache.ts'
import { challengeException, guard } from './errors.ts'

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
  /** Also read the token from this cookie when there is no `Authorization: Bearer` header. */
  cookie?: string
  /** Let requests without credentials through (`c.var.auth === null`). Wrong credentials still get 401. */
  optional?: boolean
  /** The `realm` of the `WWW-Authenticate` challenge. Default `"api"`. */
  realm?: string
}

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const bearerCredentials = /^[A-Za-z0-9\-._~+/]+=*$/

// requireScopes answers with the realm of the authenticate() that ran before it on the same request.
const realms = new WeakMap<Context, string>()

/** @internal The realm `authenticate` used for this request, for `requireScopes`. */
export function realmOf(c: Context): string {
  return realms.get(c) ?? 'api'
}

/** The token from the Authorization header (Bearer, RFC 6750 §2.1), else the cookie; `null` if none. */
function presentedToken(c: Context, cookie: string | undefined, realm: string): string | null {
  const header = c.req.header('authorization')?.trim()
  if (header) {
    const space = header.search(/\s/)
    const scheme = space === -1 ? header : header.slice(0, space)
    // Another scheme (Basic, …) is no bearer credential: RFC 6750 §3.1 treats it as "no token".
    if (scheme.toLowerCase() === 'bearer') {
      const credentials = space === -1 ? '' : header.slice(space).trim()
      if (!bearerCredentials.test(credentials)) {
        throw challengeException(400, realm, { error: 'invalid_request', code: 'ERR_AUTHORIZATION_MALFORMED' })
      }
      return credentials
    }
  }
  const fromCookie = cookie ? getCookie(c, cookie) : undefined
  return fromCookie || null
}

/** `c.executionCtx.waitUntil` where the runtime has one; the getter throws elsewhere (Node, Deno, Bun). */
function waitUntilOf(c: Context): ValidateTokenOptions['waitUntil'] {
  try {
    const executionCtx = c.executionCtx
    return (promise) => executionCtx.waitUntil(promise)
  } catch {
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
  return async function authenticateMiddleware(c: Context<{ Variables: OptionalAuthVariables }>, next) {
    realms.set(c, realm)
    const token = presentedToken(c, cookie, realm)
    if (token === null) {
      if (!optional) throw challengeException(401, realm, { error: 'unauthorized', code: 'ERR_TOKEN_MISSING' })
      c.set('auth', null)
      c.set('authToken', null)
      return next()
    }
    const waitUntil = waitUntilOf(c)
    const info = await guard(() =>
      resolveAuth(options.auth, c as unknown as Context<E>).tokenManager.validateToken(token, waitUntil ? { waitUntil } : {}))
    if (!info) throw challengeException(401, realm, { error: 'invalid_token', code: 'ERR_TOKEN_INVALID' })
    c.set('auth', info)
    c.set('authToken', token)
    await next()
  }
}
