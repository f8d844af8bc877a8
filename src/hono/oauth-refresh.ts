// The refresh route's RFC 6749 §6 form: `grant_type=refresh_token&refresh_token=…` in, a §5.1 token
// response out, so a standard OAuth client refreshes without knowing this library's JSON shape.
import type { Context } from 'hono'
import { decodeJsonPart } from '../crypto/jws-verifier.ts'
import type { AuthSuccess } from '../managers/types.ts'
import { httpError } from './errors.ts'

/** The parameters of an RFC 6749 §6 refresh request. */
export interface RefreshGrant {
  refreshToken: string
  /** Public clients name themselves; we bind nothing to it (the refresh token is the credential). */
  clientId: string | null
}

/**
 * Whether the request body is `application/x-www-form-urlencoded` (any parameters, any case).
 *
 * @example
 * ```ts
 * if (isFormBody(c)) return answerAsOAuth(await readRefreshGrant(c))
 * ```
 */
export function isFormBody(c: Context): boolean {
  const type = c.req.header('content-type')
  return type !== undefined && type.split(';')[0]!.trim().toLowerCase() === 'application/x-www-form-urlencoded'
}

/**
 * Reads the form of RFC 6749 §6. A parameter sent twice is refused (§3.2), a grant other than
 * `refresh_token` is `unsupported_grant_type`, a missing grant or token is `invalid_request` (§5.2).
 *
 * @example
 * ```ts
 * const { refreshToken } = await readRefreshGrant(c) // body: grant_type=refresh_token&refresh_token=etmrt_…
 * ```
 */
export async function readRefreshGrant(c: Context): Promise<RefreshGrant> {
  const form = new URLSearchParams(await c.req.text())
  const single = (name: string): string | null => {
    const values = form.getAll(name)
    if (values.length > 1) throw httpError('ERR_INVALID_REQUEST')
    return values[0] === undefined || values[0] === '' ? null : values[0]
  }
  const grantType = single('grant_type')
  const refreshToken = single('refresh_token')
  const clientId = single('client_id')
  if (grantType === null) throw httpError('ERR_INVALID_REQUEST')
  if (grantType !== 'refresh_token') throw httpError('ERR_UNSUPPORTED_GRANT_TYPE')
  if (refreshToken === null) throw httpError('ERR_INVALID_REQUEST')
  return { refreshToken, clientId }
}

/** The token response of RFC 6749 §5.1. */
export interface OAuthTokenResponse {
  access_token: string
  /** `Bearer`, or `DPoP` when the access token is bound to a key (RFC 9449 §5). */
  token_type: 'Bearer' | 'DPoP'
  /** Seconds the access token lives, from its own `iat` and `exp` (so the answer needs no clock). */
  expires_in?: number
  refresh_token?: string
  /** The granted scopes, space-separated; absent when there are none. */
  scope?: string
}

/**
 * An `AuthSuccess` as RFC 6749 §5.1 answers it.
 *
 * @example
 * ```ts
 * return c.json(oauthTokenResponse(success), 200, { 'Cache-Control': 'no-store', Pragma: 'no-cache' })
 * ```
 */
export function oauthTokenResponse(success: AuthSuccess, tokenType: OAuthTokenResponse['token_type'] = 'Bearer'): OAuthTokenResponse {
  const claims = decodeJsonPart(success.token.split('.')[1] ?? '')
  const lifetime = typeof claims?.exp === 'number' && typeof claims.iat === 'number' ? claims.exp - claims.iat : undefined
  return {
    access_token: success.token,
    token_type: tokenType,
    ...(lifetime !== undefined && lifetime > 0 && { expires_in: lifetime }),
    ...(success.refreshToken !== null && { refresh_token: success.refreshToken }),
    ...(success.scopeNames.length > 0 && { scope: success.scopeNames.join(' ') }),
  }
}
