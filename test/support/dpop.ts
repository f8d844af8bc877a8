// DPoP keys and proofs for tests: a real Web Crypto key pair per client, proofs signed on the test clock.
import { signDpopProof, type DpopAlgorithm, type DpopKey, type DpopProofInput } from '../../src/crypto/index.ts'
import { dpopKeyParams } from '../../src/crypto/dpop-keys.ts'

/** A fresh, non-extractable key pair, as a client holds it. */
export async function dpopKey(alg: DpopAlgorithm = 'ES256'): Promise<DpopKey> {
  const pair = (await crypto.subtle.generateKey(dpopKeyParams(alg) as EcKeyGenParams, false, ['sign', 'verify'])) as CryptoKeyPair
  return { alg, privateKey: pair.privateKey, publicJwk: await crypto.subtle.exportKey('jwk', pair.publicKey) }
}

/** A proof for `method url` at `clock()` (an injected test clock), optionally for an access token. */
export function proofAt(key: DpopKey, clock: () => Date, input: Omit<DpopProofInput, 'iat'>): Promise<string> {
  return signDpopProof(key, { ...input, iat: Math.floor(clock().getTime() / 1000) })
}
