// Which key a JWT sign-in is bound to (RFC 9449 §5, §7): the rules `JwtConfig({ dpop })` adds to issue,
// refresh and validation, kept here so the manager calls one line each.
import { ConfigError } from '../../crypto/errors.ts'
import type { AuthenticationInfo } from '../types.ts'
import { DpopKeyMismatchError, DpopProofMissingError } from './errors.ts'
import type { DpopProofRequest } from './types.ts'
import { DpopVerifier, acceptedJkt, type DpopOptions } from './verifier.ts'

/** `'optional'`: bind when the client sends a proof; `'required'`: no token without one. */
export type DpopBinding = 'optional' | 'required'

/** `JwtConfig({ dpop })`: the binding mode, or the mode with the proof rules. */
export type DpopSetting = DpopBinding | (DpopOptions & { binding: DpopBinding })


/**
 * Checks a `dpop` option; `null` when DPoP is off.
 *
 * @example
 * ```ts
 * resolveDpopSetting('optional') // { binding: 'optional', options: {} }
 * ```
 */
export function resolveDpopSetting(setting: unknown): { binding: DpopBinding; options: DpopOptions } | null {
  if (setting === undefined) return null
  if (setting === 'optional' || setting === 'required') return { binding: setting, options: {} }
  if (typeof setting === 'object' && setting !== null) {
    const { binding, ...options } = setting as DpopOptions & { binding?: unknown }
    if (binding === 'optional' || binding === 'required') return { binding, options }
  }
  throw new ConfigError("dpop must be 'optional', 'required' or { binding: 'optional' | 'required', …proof options }.")
}

/**
 * The key a refresh binds its new access token to. A bound refresh token needs a proof of its own key;
 * an unbound one (issued before binding, or without a proof) may take the proof's key for the access token.
 *
 * @example
 * ```ts
 * boundRefreshJkt(row.dpopJkt ?? null, proofJkt) // throws ERR_DPOP_PROOF_MISSING / ERR_DPOP_KEY_MISMATCH
 * ```
 */
export function boundRefreshJkt(rowJkt: string | null, proofJkt: string | null): string | null {
  if (rowJkt === null) return proofJkt
  if (proofJkt === null) throw new DpopProofMissingError()
  if (proofJkt !== rowJkt) throw new DpopKeyMismatchError()
  return rowJkt
}

/**
 * A JWT manager's DPoP rules. Without DPoP configured no token is bound, and a bound token (from another
 * configuration) never validates or refreshes here: it fails closed.
 *
 * @example
 * ```ts
 * const binder = new DpopBinder(resolveDpopSetting('optional'), () => Date.now())
 * const jkt = await binder.proofJkt({ proof: c.req.header('DPoP'), method: 'POST', url: c.req.url })
 * ```
 */
export class DpopBinder {
  /** The verifier of this manager's proofs (its replay memory included); `null` without DPoP. */
  readonly verifier: DpopVerifier | null
  readonly required: boolean

  constructor(setting: ReturnType<typeof resolveDpopSetting>, now: () => number) {
    this.verifier = setting ? new DpopVerifier(setting.options, now) : null
    this.required = setting?.binding === 'required'
  }

  /** The key of the request's proof (verified), or `null` without one; without DPoP configured proofs are ignored. */
  async proofJkt(request: DpopProofRequest | undefined): Promise<string | null> {
    if (!this.verifier) return null
    if (request?.proof === undefined || request.proof === null || request.proof === '') {
      if (this.required) throw new DpopProofMissingError()
      return null
    }
    return (await this.verifier.verify(request.proof, { method: request.method, url: request.url })).jkt
  }

  /**
   * Whether a validated token may be used by this request: a bound one only with an accepted proof of its
   * key (from `verifyDpopProof`, which also checked `ath`), an unbound one unless binding is required.
   */
  admits(info: AuthenticationInfo, proof: unknown): boolean {
    if (info.dpopJkt === undefined) return !this.required
    return this.verifier !== null && acceptedJkt(proof) === info.dpopJkt
  }
}
