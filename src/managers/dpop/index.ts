// DPoP (RFC 9449): the proof verifier is public, for resource servers outside Hono. Its errors are
// EdgeTokenErrors told apart by `code` (`ERR_DPOP_*`), the way every error of this library is branched on.
export { DpopVerifier, type DpopOptions, type DpopRequest } from './verifier.ts'
export type { DpopProofRequest, VerifiedDpopProof } from './types.ts'
export type { DpopNonceOptions } from './nonce.ts'
export type { DpopAlgorithm } from '../../crypto/dpop-keys.ts'
export type { DpopBinding, DpopSetting } from './binding.ts'
