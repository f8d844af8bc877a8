import { ReservedClaimError } from './errors.ts'
import { isTokenId } from './ids.ts'
import type { AuthenticationInfo } from './types.ts'

// Claim names shared with Serverpod, so a Serverpod server holding the same HS512 key accepts our tokens.
export const scopeNamesClaim = 'dev.serverpod.scopeNames'
export const refreshTokenIdClaim = 'dev.serverpod.refreshTokenId'
// `cnf` (RFC 7800) carries the DPoP binding: an extra claim must never be able to set or fake it.
const registeredClaims = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'cnf'])

/** Rejects extra claims that would shadow a registered or `dev.serverpod.` claim — before anything is written. */
export function checkExtraClaims(claims: unknown): Record<string, unknown> {
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) {
    throw new ReservedClaimError('(extraClaimsProvider must return an object)')
  }
  for (const name of Object.keys(claims)) {
    if (registeredClaims.has(name) || name.startsWith('dev.serverpod.')) throw new ReservedClaimError(name)
  }
  return claims as Record<string, unknown>
}

export interface AccessClaimsInput {
  authUserId: string
  refreshTokenId: string
  scopes: string[]
  extraClaims: Record<string, unknown> | null
  issuedAtMs: number
  lifetimeMs: number
  issuer: string | undefined
  /** The DPoP key's thumbprint: the token is bound to it (`cnf.jkt`, RFC 9449 §6.1). */
  dpopJkt?: string | null
}

export function accessTokenClaims(input: AccessClaimsInput): Record<string, unknown> {
  const iat = Math.floor(input.issuedAtMs / 1000)
  return {
    ...input.extraClaims,
    ...(input.issuer !== undefined && { iss: input.issuer }),
    sub: input.authUserId,
    iat,
    exp: iat + Math.floor(input.lifetimeMs / 1000),
    jti: crypto.randomUUID(),
    ...(input.scopes.length > 0 && { [scopeNamesClaim]: input.scopes }),
    [refreshTokenIdClaim]: input.refreshTokenId,
    ...(input.dpopJkt && { cnf: { jkt: input.dpopJkt } }),
  }
}

const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value)

/** The time claims of an access token, as its payload has them. */
export interface TimeClaims {
  exp?: unknown
  iat?: unknown
  nbf?: unknown
}

/**
 * Whether a token with these time claims is valid at `nowMs`: `exp` and `iat` present as numbers, `nbf`
 * absent or a number, each within `toleranceMs`. The one time rule, for fresh and cached tokens alike.
 */
export function timeClaimsHold({ exp, iat, nbf }: TimeClaims, nowMs: number, toleranceMs: number): boolean {
  const now = nowMs / 1000
  const tolerance = toleranceMs / 1000
  if (!isTime(exp) || !isTime(iat) || exp + tolerance <= now || iat - tolerance > now) return false
  return nbf === undefined || (isTime(nbf) && nbf - tolerance <= now)
}

/**
 * Checks the claims of a signature-verified token. Every claim this library relies on must be present
 * and well-typed; anything odd gives null rather than a half-valid identity.
 */
export function readAccessClaims(
  payload: Record<string, unknown>,
  nowMs: number,
  toleranceMs: number,
  issuer: string | undefined,
): AuthenticationInfo | null {
  const { sub, jti, iss, aud } = payload
  if (typeof sub !== 'string' || sub === '' || typeof jti !== 'string' || aud !== undefined) return null
  if (!timeClaimsHold(payload, nowMs, toleranceMs)) return null
  if (iss !== issuer) return null
  const refreshTokenId = payload[refreshTokenIdClaim]
  if (!isTokenId(refreshTokenId)) return null
  const scopes = payload[scopeNamesClaim] ?? []
  if (!Array.isArray(scopes)) return null
  for (const scope of scopes) if (typeof scope !== 'string') return null
  // A confirmation we cannot read is no confirmation: the token is refused, never taken as unbound.
  const { cnf } = payload
  let dpopJkt: string | undefined
  if (cnf !== undefined) {
    const jkt = (cnf as { jkt?: unknown } | null)?.jkt
    if (typeof cnf !== 'object' || cnf === null || typeof jkt !== 'string' || Object.keys(cnf).length !== 1) return null
    dpopJkt = jkt
  }

  // A loop, not Object.entries: this runs on every validation, and most tokens carry no extra claims.
  let extraClaims: Record<string, unknown> | undefined
  for (const name in payload) {
    if (!registeredClaims.has(name) && !name.startsWith('dev.serverpod.')) (extraClaims ??= {})[name] = payload[name]
  }
  return {
    userIdentifier: sub,
    scopes,
    authId: refreshTokenId,
    tokenIssuer: 'jwt',
    ...(extraClaims && { extraClaims }),
    ...(dpopJkt !== undefined && { dpopJkt }),
  }
}
