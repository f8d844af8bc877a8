// The client half of RFC 9449 §4.2: a DPoP proof for one request, signed with a key that never leaves
// Web Crypto (the private key may be non-extractable; only its public JWK goes into the header).
import { encodeBase64Url } from './base64url.ts'
import { randomBytes, utf8Encode } from './bytes.ts'
import { dpopSignParams, type DpopAlgorithm } from './dpop-keys.ts'
import { normalizeHtu } from './dpop-htu.ts'
import { accessTokenHash } from './dpop-proof.ts'
import type { Jwk, WebCryptoKey } from './web-types.ts'

/** A key pair a client proves possession of. */
export interface DpopKey {
  alg: DpopAlgorithm
  privateKey: WebCryptoKey
  /** The public key's JWK, public members only (`kty`, `crv`, `x`, `y`). */
  publicJwk: Jwk
}

/** The request a proof is for. */
export interface DpopProofInput {
  method: string
  url: string
  /** For a resource request: the access token sent with it (the proof then carries its `ath`). */
  accessToken?: string
  /** The server's latest `DPoP-Nonce`. */
  nonce?: string
  /** Seconds since the epoch; default now (a client that knows its clock offset passes server time). */
  iat?: number
}

/**
 * Signs a DPoP proof: header `{ typ: 'dpop+jwt', alg, jwk }`, claims `jti`, `htm`, `htu` (no query or
 * fragment), `iat`, and `ath` / `nonce` when given.
 *
 * @example
 * ```ts
 * const proof = await signDpopProof(key, { method: 'POST', url: 'https://api.example.com/auth/refresh' })
 * await fetch(url, { method: 'POST', headers: { DPoP: proof } })
 * ```
 */
export async function signDpopProof(key: DpopKey, input: DpopProofInput): Promise<string> {
  const { kty, crv, x, y } = key.publicJwk
  const jwk = kty === 'OKP' ? { crv, kty, x } : { crv, kty, x, y }
  const header = { typ: 'dpop+jwt', alg: key.alg, jwk }
  const claims: Record<string, unknown> = {
    jti: encodeBase64Url(randomBytes(16)),
    htm: input.method,
    htu: normalizeHtu(input.url) ?? input.url,
    iat: input.iat ?? Math.floor(Date.now() / 1000),
    ...(input.accessToken !== undefined && { ath: await accessTokenHash(input.accessToken) }),
    ...(input.nonce !== undefined && { nonce: input.nonce }),
  }
  const signingInput = `${encodeBase64Url(utf8Encode(JSON.stringify(header)))}.${encodeBase64Url(utf8Encode(JSON.stringify(claims)))}`
  const signature = await crypto.subtle.sign(dpopSignParams(key.alg), key.privateKey, utf8Encode(signingInput))
  return `${signingInput}.${encodeBase64Url(new Uint8Array(signature))}`
}
