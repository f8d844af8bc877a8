import { Hono, type Context, type Env } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { JwtTokenManager } from '../managers/jwt-token-manager.ts'
import type { MultiTokenManager } from '../managers/multi-token-manager.ts'
import type { AuthenticationInfo } from '../managers/types.ts'
import type { AuthServices } from '../managers/auth-services.ts'

type AuthServicesOf = AuthServices<any>
import { authenticate } from './authenticate.ts'
import { refreshFromCookies, rotateRefreshCookie } from './cookie-routes.ts'
import { authorizationToken, tokenCookieValues } from './credential.ts'
import { clearTokenCookies, type TokenCookies } from './token-cookies.ts'
import { resolveAuth, type AuthSource } from './cache.ts'
import { guard, httpError } from './errors.ts'
import { isFormBody, oauthTokenResponse, readRefreshGrant } from './oauth-refresh.ts'
import { dpopProofRequest, validateWithProof, type RequestUrl } from './dpop.ts'
import { eventOptions, withEventOptions, type EventContextOf } from './request-events.ts'
import type { EventOptions } from '../managers/types.ts'

export interface AuthRoutesOptions {
  /**
   * Cookie mode (`tokenCookies()`): refresh reads and rotates the refresh cookie, sign-out also works
   * with only a cookie and clears both, and the session cookie authenticates. Bearer clients keep working.
   */
  cookies?: TokenCookies
  /** The `realm` of `WWW-Authenticate` challenges. Default `"api"`. */
  realm?: string
  /** The URL the client addressed, which DPoP proofs sign; see `authenticate`'s `requestUrl`. */
  requestUrl?: RequestUrl
  /**
   * The `context` of the events these routes cause (refresh, reuse, sign-out revocations). Default
   * `requestContext`: IP and user agent. Delivery runs after the response (`waitUntil` on Workers).
   */
  eventContext?: EventContextOf
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

/** The body's `{ refreshToken }`; in cookie mode `null` when the body names none (the cookie's is meant). */
async function bodyRefreshToken(c: Context, cookieMode: boolean): Promise<string | null> {
  let body: unknown
  try {
    body = JSON.parse(await c.req.text())
  } catch {
    body = undefined
  }
  const refreshToken = (body as { refreshToken?: unknown } | null | undefined)?.refreshToken
  if (typeof refreshToken === 'string' && refreshToken !== '') return refreshToken
  if (cookieMode && refreshToken === undefined) return null
  throw httpError('ERR_INVALID_REQUEST')
}

/** Who a sign-out acts for: the caller's token, or the sign-in behind a refresh cookie. */
type SignedIn = Pick<AuthenticationInfo, 'authId' | 'tokenIssuer' | 'userIdentifier'>

/**
 * The token endpoints, as a Hono app to mount (conventionally at `/auth`):
 * - `POST /refresh` `{ refreshToken }` → 200 AuthSuccess (rotated refresh token); dead token → 400 `invalid_grant`.
 *   In cookie mode an empty body uses the refresh cookie (or reports the session cookie's sign-in).
 *   The RFC 6749 §6 form (`grant_type=refresh_token&refresh_token=…`) is answered as RFC 6749 §5.1.
 * - `POST /sign-out` → 204, revokes the presented token; `POST /sign-out-all` → 204, revokes all of the caller's
 * - `GET /tokens` → the caller's tokens; `DELETE /tokens/:tokenId` → 204, or 404 unless it is the caller's
 * - `GET /.well-known/jwks.json` → the ES512 public keys (404 without ES512)
 *
 * @example
 * ```ts
 * const app = new Hono()
 * app.route('/auth', authRoutes(auth))
 * // Workers: build per isolate from env; browsers keep their tokens in HttpOnly cookies
 * app.route('/auth', authRoutes((c) => servicesFor(c.env).auth, { cookies: tokenCookies() }))
 * ```
 */
export function authRoutes<E extends Env = any>(auth: AuthSource<E>, options: AuthRoutesOptions = {}): Hono<E> {
  const app = new Hono<E>()
  const { cookies, requestUrl } = options
  const realm = options.realm ?? 'api'
  const authenticated = authenticate<E>({
    auth, realm, ...(cookies && { cookies }), ...(requestUrl && { requestUrl }), ...(options.eventContext && { eventContext: options.eventContext }),
  })
  const noContext = { known: false }
  const eventsOf = (c: Context, services: AuthServicesOf) => eventOptions(c, services, noContext, options.eventContext)
  // A failing factory (e.g. a missing secret) becomes a typed 500, like any other library error.
  const servicesOf = (c: Context<any>) => guard(() => resolveAuth(auth, c as Context<E>))

  /**
   * Revokes what `revoke` picks for the caller, clears the cookies: 204. The caller is the Bearer token's
   * (a bad one is 401: the client chose to send it), else the session cookie's, else the refresh cookie's
   * sign-in. A dead cookie still gets 204 with the cookies cleared: nobody may be stuck with one.
   */
  const signOut = (revoke: (tokenManager: MultiTokenManager, who: SignedIn, events: EventOptions | undefined) => Promise<void>) => async (c: Context) => {
    const services = await servicesOf(c)
    const events = eventsOf(c, services)
    const bearer = authorizationToken(c, realm)
    let who: SignedIn | null = null
    let presented = bearer !== null
    if (bearer !== null) {
      who = await guard(() => (bearer.dpop ? validateWithProof(c, services, bearer.token, realm, events ?? {}, requestUrl) : services.tokenManager.validateToken(bearer.token, events)))
      if (!who) throw httpError('ERR_TOKEN_INVALID', { realm })
    } else if (cookies) {
      // Without a Bearer token the request rides on cookies, whichever scheme its Authorization names
      // (a browser adds Basic or Negotiate by itself), and SameSite may have kept them back: refused
      // when another site started it, cookies or not.
      cookies.refuseCrossSite(c)
      const { session: sessionToken, refresh } = tokenCookieValues(c, cookies)
      if (sessionToken !== null) {
        presented = true
        who = await guard(() => services.tokenManager.validateToken(sessionToken, events))
      }
      const refreshToken = who ? null : refresh
      if (refreshToken !== null) {
        // The id a refresh token carries is public, so possession is proven by rotating it.
        presented = true
        const rotated = await rotateRefreshCookie(services, refreshToken, events)
        if (!('dead' in rotated)) who = { authId: rotated.tokenId, tokenIssuer: 'jwt', userIdentifier: rotated.authUserId }
      }
    }
    // Nothing at all, not even a dead cookie: the caller must say who is signing out.
    if (!presented) throw httpError('ERR_TOKEN_MISSING', { realm })
    if (who) await guard(() => revoke(services.tokenManager, who, events))
    if (cookies) clearTokenCookies(c, cookies)
    return c.body(null, 204)
  }

  app.post('/refresh', refreshBodyLimit, async (c) => {
    // Standard OAuth clients send the form of RFC 6749 §6; they get its answer, errors included.
    if (isFormBody(c)) {
      // The form never uses cookies, but one that carries them is cookie-borne: another site's is refused.
      if (cookies) tokenCookieValues(c, cookies)
      const { refreshToken } = await readRefreshGrant(c)
      const services = await servicesOf(c)
      const jwt = await guard(() => services.getTokenManager(JwtTokenManager))
      const success = await guard(() => jwt.refreshAccessToken(refreshToken, withEventOptions(eventsOf(c, services), { dpop: dpopProofRequest(c, requestUrl) })))
      return c.json(oauthTokenResponse(success, success.dpopJkt ? 'DPoP' : 'Bearer'), 200, noStore)
    }
    const refreshToken = await bodyRefreshToken(c, cookies !== undefined)
    const services = await servicesOf(c)
    if (refreshToken === null) return refreshFromCookies(c, services, cookies!, realm, eventsOf(c, services))
    const jwt = await guard(() => services.getTokenManager(JwtTokenManager))
    const success = await guard(() => jwt.refreshAccessToken(refreshToken, withEventOptions(eventsOf(c, services), { dpop: dpopProofRequest(c, requestUrl) })))
    return c.json(success, 200, noStore)
  })

  app.post('/sign-out', signOut((tokenManager, who, events) =>
    tokenManager.revokeToken(withEventOptions(events, { tokenId: who.authId, tokenIssuer: who.tokenIssuer, reason: 'sign-out' as const }))))
  app.post('/sign-out-all', signOut((tokenManager, who, events) =>
    tokenManager.revokeAllTokens(withEventOptions(events, { authUserId: who.userIdentifier, reason: 'sign-out-all' as const }))))

  app.get('/tokens', authenticated, async (c) => {
    const { tokenManager } = await servicesOf(c)
    const tokens = await guard(() => tokenManager.listTokens({ authUserId: c.var.auth.userIdentifier }))
    return c.json(tokens, 200, noStore)
  })

  app.delete('/tokens/:tokenId', authenticated, async (c) => {
    const services = await servicesOf(c)
    const { tokenManager } = services
    // Ids are stored lower-case; Postgres reads a UUID in any case, and so do we.
    const tokenId = c.req.param('tokenId').toLowerCase()
    // Only the caller's own: someone else's id (or an unknown one) is indistinguishable, a 404.
    const mine = await guard(() => tokenManager.listTokens({ authUserId: c.var.auth.userIdentifier }))
    const token = mine.find((t) => t.tokenId === tokenId)
    if (!token) throw httpError('ERR_TOKEN_NOT_FOUND')
    await guard(() => tokenManager.revokeToken({ tokenId, tokenIssuer: token.tokenIssuer, reason: 'sign-out', ...eventsOf(c, services) }))
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
