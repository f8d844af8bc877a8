// The JWS half of a DPoP proof (RFC 9449 §4.2, §4.3 checks 2–7): structure, header, signature with the
// key the header carries. The claims (method, URL, time, replay, nonce, token hash) are the caller's.
import { decodeBase64Url, encodeBase64Url } from './base64url.ts'
import { utf8Encode } from './bytes.ts'
import { dpopPublicJwk, dpopSignatureLength, dpopSignParams, isDpopAlgorithm, type DpopAlgorithm } from './dpop-keys.ts'
import { decodeJsonPart } from './jws-verifier.ts'
import type { Jwk, WebCryptoKey } from './web-types.ts'

/** Proofs longer than this are refused before decoding: a P-521 proof with a nonce and `ath` is ~700 characters. */
export const maxDpopProofLength = 4096

/** A proof whose structure and header are acceptable, before its signature is checked. */
export interface ParsedDpopProof {
  alg: DpopAlgorithm
  /** The header's key, public members only. */
  jwk: Jwk
  claims: Record<string, unknown>
  signingInput: string
  signature: Uint8Array<ArrayBuffer>
}

/** Why a proof was refused before its claims were read. */
export type DpopProofFault = 'malformed' | 'typ' | 'alg' | 'jwk' | 'signature'

/**
 * Splits a proof and checks its header: `typ` `dpop+jwt`, `alg` in `allowed`, a public `jwk` of that
 * algorithm, nothing critical we would have to understand. The answer is a fault, never a throw.
 *
 * @example
 * ```ts
 * const parsed = parseDpopProof(request.headers.get('DPoP'), ['ES256'])
 * if (typeof parsed === 'string') refuse(parsed) // 'typ', 'alg', …
 * ```
 */
export function parseDpopProof(proof: unknown, allowed: readonly DpopAlgorithm[]): ParsedDpopProof | DpopProofFault {
  if (typeof proof !== 'string' || proof.length > maxDpopProofLength) return 'malformed'
  const parts = proof.split('.')
  if (parts.length !== 3) return 'malformed'
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string]
  const header = decodeJsonPart(headerPart)
  const claims = decodeJsonPart(payloadPart)
  const signature = decodeBase64Url(signaturePart)
  if (!header || !claims || !signature) return 'malformed'
  // Lower-case only: RFC 9449 §4.2 registers the media type "dpop+jwt", and case games help nobody.
  if (header.typ !== 'dpop+jwt') return 'typ'
  if (!isDpopAlgorithm(header.alg) || !allowed.includes(header.alg)) return 'alg'
  if ('crit' in header || 'b64' in header || 'jku' in header || 'x5u' in header || 'x5c' in header) return 'malformed'
  const jwk = dpopPublicJwk(header.alg, header.jwk)
  if (!jwk) return 'jwk'
  if (signature.length !== dpopSignatureLength(header.alg)) return 'signature'
  return { alg: header.alg, jwk, claims, signingInput: `${headerPart}.${payloadPart}`, signature }
}

/**
 * Whether the proof's signature verifies with `key` (imported from the proof's own `jwk`).
 *
 * @example
 * ```ts
 * if (!(await verifyDpopSignature(parsed, await importDpopPublicKey(parsed.alg, parsed.jwk)))) refuse('signature')
 * ```
 */
export async function verifyDpopSignature(parsed: ParsedDpopProof, key: WebCryptoKey | null): Promise<boolean> {
  if (!key) return false
  try {
    return await crypto.subtle.verify(dpopSignParams(parsed.alg), key, parsed.signature, utf8Encode(parsed.signingInput))
  } catch {
    return false
  }
}

/**
 * The `ath` of an access token (RFC 9449 §4.2): base64url of its SHA-256 over the ASCII bytes.
 *
 * @example
 * ```ts
 * const ath = await accessTokenHash(accessToken) // 43 characters
 * ```
 */
export async function accessTokenHash(accessToken: string): Promise<string> {
  return encodeBase64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', utf8Encode(accessToken))))
}
