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
  /**
   * Whether this request may use the token (DPoP binding), on fresh and cached tokens alike. Default: only
   * unbound tokens, so a verifier that knows nothing of proofs never accepts a bound token as a bearer one.
   */
  admits?: (info: AuthenticationInfo, proof: unknown) => boolean
}

/** `null` for an invalid, expired or foreign token; never rejects for any token. */
export type AccessTokenValidator = (token: string, proof?: unknown) => Promise<AuthenticationInfo | null>

const unboundOnly = (info: AuthenticationInfo) => info.dpopJkt === undefined

/**
 * The access-token check of `JwtTokenManager.validateToken` and of `createAccessTokenVerifier`: one
 * implementation. Header, signature, payload and claims run in a single async function (the verifier's),
 * which keeps the promise chain of a validation to one link.
 */
export function accessTokenValidator(keys: readonly JwsKey[], { issuer, clockToleranceMs, now, cache, admits = unboundOnly }: AccessTokenRules): AccessTokenValidator {
  const verify = jwsVerifier<{ nowMs: number; proof: unknown }, AuthenticationInfo>(keys, (payloadPart, _header, token, { nowMs, proof }) => {
    const payload = decodeJsonPart(payloadPart)
    const info = payload && readAccessClaims(payload, nowMs, clockToleranceMs, issuer)
    if (!info) return null
    // Cached as the token is; the binding is checked against each request's proof, hit or miss.
    cache?.set(token, info, payload!)
    return admits(info, proof) ? info : null
  })
  return (token, proof) => {
    let nowMs: number
    try {
      nowMs = now()
    } catch (error) {
      return Promise.reject(error)
    }
    const cached = cache?.get(token, nowMs)
    if (cached === undefined) return verify(token, { nowMs, proof })
    return Promise.resolve(cached && admits(cached, proof) ? cached : null)
  }
}
