// The cookie-mode halves of the refresh and sign-out routes: what they do when the credential is a cookie.
import type { Context } from 'hono'
import { getCookie } from 'hono/cookie'
import { JwtTokenManager } from '../managers/jwt-token-manager.ts'
import type { AuthServices } from '../managers/auth-services.ts'
import type { AuthSuccess } from '../managers/types.ts'
import { clearCookie } from './cookie.ts'
import { guard, httpError, isDeadGrant, toHttpError } from './errors.ts'
import type { TokenCookies } from './token-cookies.ts'

const noStore = { 'Cache-Control': 'no-store', Pragma: 'no-cache' }

/**
 * `POST /refresh` without a token in the body. A refresh cookie rotates: its successor goes into the
 * cookie, the access token into the body. A session cookie (nothing to rotate) reports its sign-in, so a
 * page that just loaded learns who it is. A dead cookie is cleared: 400 `invalid_grant` (refresh) or
 * 401 `invalid_token` (session); no cookie at all is 400 `invalid_request`, like a body without a token.
 */
export async function refreshFromCookies(c: Context, services: AuthServices<any>, cookies: TokenCookies, realm: string): Promise<Response> {
  const refreshToken = getCookie(c, cookies.refresh)
  if (refreshToken) {
    const jwt = await guard(() => services.getTokenManager(JwtTokenManager))
    let success: AuthSuccess
    try {
      success = await jwt.refreshAccessToken(refreshToken)
    } catch (error) {
      // A store that is down keeps the cookie: the sign-in is fine, the client retries.
      if (isDeadGrant(error)) throw httpError(error.code, { headers: clearCookie(c, cookies.refresh, cookies.refreshPath) })
      throw toHttpError(error)
    }
    return cookies.respond(c, success)
  }
  const sessionToken = getCookie(c, cookies.session)
  if (!sessionToken) throw httpError('ERR_INVALID_REQUEST')
  const info = await guard(() => services.tokenManager.validateToken(sessionToken))
  if (info?.tokenIssuer !== 'session') throw httpError('ERR_TOKEN_INVALID', { realm, headers: clearCookie(c, cookies.session) })
  const body = {
    authStrategy: 'session', token: null, tokenExpiresAt: null, refreshToken: null,
    authUserId: info.userIdentifier, scopeNames: info.scopes, tokenId: info.authId,
  }
  return c.json(body, 200, noStore)
}

/**
 * The sign-in behind a refresh cookie, for a sign-out that carries nothing else (the access token was
 * lost with the page, or the client signed out offline earlier). Proven by rotating it — the token id
 * alone is public — and `null` when the cookie is absent or dead.
 */
export async function signInOfRefreshCookie(c: Context, services: AuthServices<any>, cookies: TokenCookies): Promise<AuthSuccess | null> {
  const refreshToken = getCookie(c, cookies.refresh)
  if (!refreshToken) return null
  const jwt = await guard(() => services.getTokenManager(JwtTokenManager))
  try {
    return await jwt.refreshAccessToken(refreshToken)
  } catch (error) {
    if (isDeadGrant(error)) return null
    throw toHttpError(error)
  }
}
