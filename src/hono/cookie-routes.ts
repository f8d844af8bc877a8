// The cookie-mode halves of the refresh and sign-out routes: what they do when the credential is a cookie.
import type { Context } from 'hono'
import { JwtTokenManager } from '../managers/jwt-token-manager.ts'
import type { AuthServices } from '../managers/auth-services.ts'
import type { ErrorCode } from '../managers/errors.ts'
import type { AuthSuccess } from '../managers/types.ts'
import type { EventOptions } from '../managers/types.ts'
import { clearingLine } from './cookie-lines.ts'
import { tokenCookieValues } from './credential.ts'
import { guard, httpError, isDeadGrant, toHttpError } from './errors.ts'
import type { TokenCookies } from './token-cookies.ts'

const noStore = { 'Cache-Control': 'no-store', Pragma: 'no-cache' }

/**
 * Rotates a refresh token that came in a cookie: the new `AuthSuccess`, or `{ dead }` with the code when
 * the token (or its user) is unusable for good. A store that is down throws its 503: the cookie stays.
 */
export async function rotateRefreshCookie(services: AuthServices<any>, refreshToken: string, events?: EventOptions): Promise<AuthSuccess | { dead: ErrorCode }> {
  const jwt = await guard(() => services.getTokenManager(JwtTokenManager))
  try {
    return await jwt.refreshAccessToken(refreshToken, events)
  } catch (error) {
    if (isDeadGrant(error)) return { dead: error.code }
    throw toHttpError(error)
  }
}

/**
 * `POST /refresh` without a token in the body. A refresh cookie rotates: its successor goes into the
 * cookie, the access token into the body. A session cookie (nothing to rotate) reports its sign-in, so a
 * page that just loaded learns who it is. A dead cookie is cleared: 400 `invalid_grant` (refresh) or
 * 401 `invalid_token` (session); no cookie at all is 400 `invalid_request`, like a body without a token.
 * Another site's request is refused (403) before anything happens.
 */
export async function refreshFromCookies(c: Context, services: AuthServices<any>, cookies: TokenCookies, realm: string, events?: EventOptions): Promise<Response> {
  // A refresh without a token in its body rides on cookies; SameSite may have kept them back.
  cookies.refuseCrossSite(c)
  const { refresh: refreshToken, session: sessionToken } = tokenCookieValues(c, cookies)
  if (refreshToken !== null) {
    const rotated = await rotateRefreshCookie(services, refreshToken, events)
    if ('dead' in rotated) throw httpError(rotated.dead, { setCookie: [clearingLine(cookies.refresh, cookies.refreshPath)] })
    return cookies.respond(c, rotated)
  }
  if (sessionToken === null) throw httpError('ERR_INVALID_REQUEST')
  const info = await guard(() => services.tokenManager.validateToken(sessionToken, events))
  if (info?.tokenIssuer !== 'session') throw httpError('ERR_TOKEN_INVALID', { realm, setCookie: [clearingLine(cookies.session, '/')] })
  const body = {
    authStrategy: 'session', token: null, tokenExpiresAt: null, refreshToken: null,
    authUserId: info.userIdentifier, scopeNames: info.scopes, tokenId: info.authId,
  }
  return c.json(body, 200, noStore)
}
