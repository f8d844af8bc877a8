import type { AuthSuccessInput, AuthSuccessJson } from './types.ts'

/**
 * Checks that `value` has the shape of an `AuthSuccessJson` (as read from storage or a response body)
 * and returns it normalised, or `null`. Accepts `Date` expiries, turning them into ISO strings.
 */
export function toAuthSuccessJson(value: unknown): AuthSuccessJson | null {
  if (typeof value !== 'object' || value === null) return null
  const v = value as Record<string, unknown>
  if (v.authStrategy !== 'jwt' && v.authStrategy !== 'session') return null
  // A session in cookie mode has no token here: it lives in an HttpOnly cookie.
  const tokenless = v.token === null && v.authStrategy === 'session'
  if (!tokenless && (typeof v.token !== 'string' || v.token === '')) return null
  if (typeof v.authUserId !== 'string' || typeof v.tokenId !== 'string') return null
  if (v.refreshToken !== null && v.refreshToken !== undefined && typeof v.refreshToken !== 'string') return null
  const expiresAt = v.tokenExpiresAt instanceof Date ? v.tokenExpiresAt.toISOString() : v.tokenExpiresAt ?? null
  if (expiresAt !== null && (typeof expiresAt !== 'string' || Number.isNaN(Date.parse(expiresAt)))) return null
  const scopeNames = Array.isArray(v.scopeNames) ? v.scopeNames.filter((s): s is string => typeof s === 'string') : []
  return {
    authStrategy: v.authStrategy,
    token: tokenless ? null : (v.token as string),
    tokenExpiresAt: expiresAt,
    refreshToken: (v.refreshToken as string | null | undefined) ?? null,
    authUserId: v.authUserId,
    scopeNames,
    tokenId: v.tokenId,
    ...(typeof v.jwtRefreshTokenId === 'string' && { jwtRefreshTokenId: v.jwtRefreshTokenId }),
    ...(typeof v.dpopJkt === 'string' && { dpopJkt: v.dpopJkt }),
    ...(Number.isFinite(v.serverClockOffsetMs) && { serverClockOffsetMs: v.serverClockOffsetMs as number }),
  }
}

/**
 * Milliseconds left before `authSuccess.token` expires when this device's clock reads `now`;
 * `Infinity` when it never expires. `tokenExpiresAt` is on the server's clock: `serverClockOffsetMs`
 * (see `withServerClockOffset`) translates `now` to it, so a device hours off still gets the true rest.
 */
export function millisecondsLeft(authSuccess: AuthSuccessJson | AuthSuccessInput, now: number): number {
  const expiresAt = authSuccess.tokenExpiresAt
  if (expiresAt === null) return Infinity
  const serverNow = now + (authSuccess.serverClockOffsetMs ?? 0)
  return (expiresAt instanceof Date ? expiresAt.getTime() : Date.parse(expiresAt)) - serverNow
}
