// The typed errors of DPoP (RFC 9449). Messages name the rule that failed, never the proof or a token.
import { EdgeTokenError } from '../../crypto/errors.ts'

/** A DPoP proof is needed (binding is required, or the token is bound to a key) and the request has none. */
export class DpopProofMissingError extends EdgeTokenError {
  constructor() {
    super('ERR_DPOP_PROOF_MISSING', 'A DPoP proof is required for this request.')
  }
}

/**
 * The DPoP proof is malformed, not signed by the key it carries, or does not fit the request. `reason`
 * names the rule (`typ`, `alg`, `jwk`, `signature`, `htm`, `htu`, `iat`, `jti`, `ath`, `malformed`).
 */
export class DpopProofInvalidError extends EdgeTokenError {
  readonly reason: string
  constructor(reason: string) {
    super('ERR_DPOP_PROOF_INVALID', `The DPoP proof is invalid (${reason}).`)
    this.reason = reason
  }
}

/** This proof's `jti` was already used with this key: a replayed proof. */
export class DpopProofReplayedError extends EdgeTokenError {
  constructor() {
    super('ERR_DPOP_PROOF_REPLAYED', 'The DPoP proof was already used.')
  }
}

/** The server wants a fresh nonce in the proof (RFC 9449 §8): retry with `nonce`, also sent as `DPoP-Nonce`. */
export class DpopNonceRequiredError extends EdgeTokenError {
  /** The nonce to put in the next proof. */
  readonly nonce: string
  constructor(nonce: string) {
    super('ERR_DPOP_NONCE_REQUIRED', 'The DPoP proof must carry the server\'s current nonce.')
    this.nonce = nonce
  }
}

/** The proof is signed by a different key than the one the token is bound to (`cnf.jkt`). */
export class DpopKeyMismatchError extends EdgeTokenError {
  constructor() {
    super('ERR_DPOP_KEY_MISMATCH', 'The DPoP proof is signed by another key than the token is bound to.')
  }
}
