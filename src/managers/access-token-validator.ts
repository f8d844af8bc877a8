import { decodeJsonPart, jwsVerifier, type JwsKey } from '../crypto/jws-verifier.ts'
import { readAccessClaims } from './access-token.ts'
import type { AuthenticationInfo } from './types.ts'
import type { VerifiedTokens } from './verified-tokens.ts'

/** What makes a verified token's claims acceptable, and where a validator keeps tokens it has validated. */
export interface AccessTokenRules {
  issuer: string | undefined
  clockToleranceMs: number
  /** The time in ms. A throw (a broken clock: a configuration error) rejects; it never reads as "invalid". */
  now: () => number
  /** Fully validated tokens, checked before the signature (see {@link VerifiedTokens}). */
  cache?: VerifiedTokens
}

/** `null` for an invalid, expired or foreign token; never rejects for any token. */
export type AccessTokenValidator = (token: string) => Promise<AuthenticationInfo | null>

/**
 * The access-token check of `JwtTokenManager.validateToken` and of `createAccessTokenVerifier`: one
 * implementation. Header, signature, payload and claims run in a single async function (the verifier's),
 * which keeps the promise chain of a validation to one link.
 */
export function accessTokenValidator(keys: readonly JwsKey[], { issuer, clockToleranceMs, now, cache }: AccessTokenRules): AccessTokenValidator {
  const verify = jwsVerifier<number, AuthenticationInfo>(keys, (payloadPart, _header, token, nowMs) => {
    const payload = decodeJsonPart(payloadPart)
    const info = payload && readAccessClaims(payload, nowMs, clockToleranceMs, issuer)
    if (info) cache?.set(token, info, payload!)
    return info
  })
  return (token) => {
    let nowMs: number
    try {
      nowMs = now()
    } catch (error) {
      return Promise.reject(error)
    }
    const cached = cache?.get(token, nowMs)
    return cached === undefined ? verify(token, nowMs) : Promise.resolve(cached)
  }
}
