import { Hono, type Context, type Env } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { JwtTokenManager } from '../managers/jwt-token-manager.ts'
import { authenticate, clearedDeadCookie, type OptionalAuthVariables } from './authenticate.ts'
import { clearCookie, type CsrfOptions } from './cookie.ts'
import { resolveAuth, type AuthSource } from './cache.ts'
import { guard, httpError } from './errors.ts'

export interface AuthRoutesOptions {
  /** Also accept the token from this cookie (and clear it on sign-out, or when it is dead). */
  cookie?: string
  /** The `realm` of `WWW-Authenticate` challenges. Default `"api"`. */
  realm?: string
  /** Cross-site protection for cookie-authenticated writes; on by default (see `authenticate`). */
  csrf?: CsrfOptions
}

// RFC 6749 §5.1: responses carrying tokens must not be cached.
const noStore = { 'Cache-Control': 'no-store', Pragma: 'no-cache' }

// A refresh body is ~120 bytes; refuse megabytes before reading them. 400 like any malformed body (the contract).
const refreshBodyLimit = bodyLimit({
  maxSize: 4096,
  onError: () => {
    throw httpError('ERR_BODY_TOO_LARGE')
  },
})

async function refreshTokenFrom(c: Context): Promise<string> {
  let body: unknown
  try {
    body = JSON.parse(await c.req.text())
  } catch {
    body = undefined
  }
  const refreshToken = (body as { refreshToken?: unknown } | null | undefined)?.refreshToken
  if (typeof refreshToken !== 'string' || refreshToken === '') {
    throw httpError('ERR_INVALID_REQUEST')
  }
  return refreshToken
}

/**
 * The token endpoints, as a Hono app to mount (conventionally at `/auth`):
 * - `POST /refresh` `{ refreshToken }` → 200 AuthSuccess (rotated refresh token); dead token → 400 `invalid_grant`
 * - `POST /sign-out` → 204, revokes the presented token; `POST /sign-out-all` → 204, revokes all of the caller's
 * - `GET /tokens` → the caller's tokens; `DELETE /tokens/:tokenId` → 204, or 404 unless it is the caller's
 * - `GET /.well-known/jwks.json` → the ES512 public keys (404 without ES512)
 *
 * @example
 * ```ts
 * const app = new Hono()
 * app.route('/auth', authRoutes(auth))
 * // Workers: build per isolate from env
 * app.route('/auth', authRoutes((c) => servicesFor(c.env).auth))
 * ```
 */
export function authRoutes<E extends Env = any>(auth: AuthSource<E>, options: AuthRoutesOptions = {}): Hono<E> {
  const app = new Hono<E>()
  const authenticated = authenticate<E>({ auth, ...options })
  // Sign-out must work with a dead cookie too (204, cookie cleared): nobody may be stuck with one.
  const signingOut = authenticate<E>({ auth, ...options, optional: true })
  const realm = options.realm ?? 'api'
  /** The caller to sign out, or null when a dead cookie was all they had (already cleared). */
  const signOutCaller = (c: Context) => {
    const caller = (c.var as unknown as OptionalAuthVariables).auth
    if (caller) return caller
    if (clearedDeadCookie(c)) return null
    throw httpError('ERR_TOKEN_MISSING', { realm })
  }
  // A failing factory (e.g. a missing secret) becomes a typed 500, like any other library error.
  const servicesOf = (c: Context<any>) => guard(() => resolveAuth(auth, c as Context<E>))

  app.post('/refresh', refreshBodyLimit, async (c) => {
    const refreshToken = await refreshTokenFrom(c)
    const services = await servicesOf(c)
    const jwt = await guard(() => services.getTokenManager(JwtTokenManager))
    const success = await guard(() => jwt.refreshAccessToken(refreshToken))
    return c.json(success, 200, noStore)
  })

  app.post('/sign-out', signingOut, async (c) => {
    const caller = signOutCaller(c)
    if (caller) {
      const { tokenManager } = await servicesOf(c)
      await guard(() => tokenManager.revokeToken({ tokenId: caller.authId, tokenIssuer: caller.tokenIssuer }))
      if (options.cookie) clearCookie(c, options.cookie)
    }
    return c.body(null, 204)
  })

  app.post('/sign-out-all', signingOut, async (c) => {
    const caller = signOutCaller(c)
    if (caller) {
      const { tokenManager } = await servicesOf(c)
      await guard(() => tokenManager.revokeAllTokens({ authUserId: caller.userIdentifier }))
      if (options.cookie) clearCookie(c, options.cookie)
    }
    return c.body(null, 204)
  })

  app.get('/tokens', authenticated, async (c) => {
    const { tokenManager } = await servicesOf(c)
    const tokens = await guard(() => tokenManager.listTokens({ authUserId: c.var.auth.userIdentifier }))
    return c.json(tokens, 200, noStore)
  })

  app.delete('/tokens/:tokenId', authenticated, async (c) => {
    const { tokenManager } = await servicesOf(c)
    // Ids are stored lower-case; Postgres reads a UUID in any case, and so do we.
    const tokenId = c.req.param('tokenId').toLowerCase()
    // Only the caller's own: someone else's id (or an unknown one) is indistinguishable, a 404.
    const mine = await guard(() => tokenManager.listTokens({ authUserId: c.var.auth.userIdentifier }))
    const token = mine.find((t) => t.tokenId === tokenId)
    if (!token) throw httpError('ERR_TOKEN_NOT_FOUND')
    await guard(() => tokenManager.revokeToken({ tokenId, tokenIssuer: token.tokenIssuer }))
    return c.body(null, 204)
  })

  app.get('/.well-known/jwks.json', async (c) => {
    const { tokenManager } = await servicesOf(c)
    const jwtManagers = tokenManager.managers.filter((m) => m instanceof JwtTokenManager)
    const keys = (await guard(() => Promise.all(jwtManagers.map((m) => m.publicJwks())))).flat()
    if (keys.length === 0) throw httpError('ERR_NO_PUBLIC_KEYS')
    return c.json({ keys }, 200, { 'Cache-Control': 'public, max-age=300' })
  })

  return app
}
