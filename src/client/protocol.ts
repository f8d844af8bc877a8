// What the server's answers mean to the client (the HTTP contract of `authRoutes` / `authenticate`).
import { toAuthSuccessJson } from './auth-success.ts'
import type { AuthSuccessJson } from './types.ts'

/**
 * The result of one `POST {authPath}/refresh`:
 * `'refreshed'` with the new pair and the response's `Date` header for the clock-skew estimate (`null`
 * when absent, or hidden from a cross-origin caller because the server did not expose it); `'dead'` when
 * the server refused the refresh token for good (400 `invalid_grant`: malformed, unknown, expired,
 * reused, or the user is blocked/gone), with the server's error `code` (e.g. `ERR_REFRESH_TOKEN_REUSED`:
 * the token family was revoked because an old refresh token was presented again);
 * `'unavailable'` for everything that may pass (network error, 5xx, an unexpected answer).
 */
export type RefreshOutcome =
  | { kind: 'refreshed'; authSuccess: AuthSuccessJson; serverDate: string | null }
  | { kind: 'dead'; code: string | null }
  | { kind: 'unavailable' }

/**
 * Trades `refreshToken` for a new pair. Never throws. `null` is cookie mode: the request carries the
 * cookies instead, and any 400 (no cookie, or a dead one) or a 401 (a dead session cookie) means the
 * sign-in is over.
 */
export async function requestRefresh(
  send: (request: Request) => Promise<Response>,
  url: string,
  refreshToken: string | null,
): Promise<RefreshOutcome> {
  let response: Response
  try {
    response = await send(new Request(url, refreshToken === null
      ? { method: 'POST', credentials: 'include' }
      : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken }) }))
  } catch {
    return { kind: 'unavailable' }
  }
  const body = await response.json().catch(() => null)
  if (response.status === 200) {
    const authSuccess = toAuthSuccessJson(body)
    return authSuccess ? { kind: 'refreshed', authSuccess, serverDate: response.headers.get('date') } : { kind: 'unavailable' }
  }
  const { error, code } = (body ?? {}) as { error?: unknown; code?: unknown }
  const dead = response.status === 400 && (error === 'invalid_grant' || refreshToken === null)
  if (dead || (response.status === 401 && refreshToken === null)) return { kind: 'dead', code: typeof code === 'string' ? code : null }
  return { kind: 'unavailable' }
}

/**
 * Whether a 401 says the token itself is invalid, expired or revoked (RFC 6750 `error="invalid_token"`,
 * in `WWW-Authenticate` or, when a cross-origin response hides that header, in the JSON body).
 * Other 401s (no token sent, an app's own 401) do not end a session.
 */
export async function saysInvalidToken(response: Response): Promise<boolean> {
  if (response.status !== 401) return false
  if (/error="?invalid_token"?/.test(response.headers.get('www-authenticate') ?? '')) return true
  const body = await response.clone().json().catch(() => null)
  return (body as { error?: unknown } | null)?.error === 'invalid_token'
}
