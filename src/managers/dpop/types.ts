// The shapes DPoP adds to the managers' options, apart from the code that reads them, so the managers'
// own types can name them without importing the verifier.
import type { DpopAlgorithm } from '../../crypto/dpop-keys.ts'

/** The proof a request carries, for the manager to verify: the `DPoP` header and what it must fit. */
export interface DpopProofRequest {
  /** The `DPoP` header's value; absent when the client sent none. */
  proof: string | null | undefined
  method: string
  url: string
}

/** An accepted proof. */
export interface VerifiedDpopProof {
  /** RFC 7638 thumbprint of the proof's key: what a token is bound to (`cnf.jkt`). */
  jkt: string
  alg: DpopAlgorithm
  jti: string
}
