// The single pass every JWS verification takes (the managers' validateToken, the validate-only
// `edge-token-managers/jwt` entry, verifyJws/verifyJwt): one async function that splits the token, decodes
// each part straight from the string into a reused buffer, checks the signature and hands the payload part
// to the caller, with no other await in between. Every rule of verifyJws holds here; jws.ts documents them.
import { decodeBase64UrlInto, decodedLength } from './base64url.ts'
import { utf8Decode, type Bytes } from './bytes.ts'
import { parseJsonObject } from './json.ts'
import type { WebCryptoKey, SignatureAlgorithm } from './web-types.ts'

/** The JWS algorithms this library signs and verifies with. */
export type JwsAlgorithm = 'HS512' | 'ES512'

/**
 * A key bound to exactly one algorithm: an HS512 key never checks an ES512 signature and vice
 * versa, whatever the token's header claims (RFC 8725 §3.1).
 */
export interface JwsKey {
  alg: JwsAlgorithm
  key: WebCryptoKey
  /** Written into the header when signing; used to pick the key first when verifying. */
  kid?: string
}

/** Tokens longer than this are refused before any decoding: bounds work on hostile input. */
export const maxJwsLength = 16_384
/** How many candidate keys one token may cost us at most (primary + fallbacks). */
const maxKeysTried = 8
/** Header strings kept per verifier, with their candidate keys: a key signs the same header every time. */
const maxCachedHeaders = 32

const signatureLength: Record<JwsAlgorithm, number> = { HS512: 64, ES512: 132 }
const ecdsa = { name: 'ECDSA', hash: 'SHA-512' }
const utf8 = new TextEncoder()

export const webCryptoParams = (alg: JwsAlgorithm): SignatureAlgorithm => (alg === 'HS512' ? 'HMAC' : ecdsa)

// Scratch bytes for decoded parts and the signing input, shared by every token. Safe because each use
// is finished before the next await: Web Crypto copies `data` and `signature` before `verify` returns
// its promise (WebCrypto "get a copy of the bytes held by"), and decoded text is read out at once.
let scratch: Bytes = new Uint8Array(4096)

function room(length: number): Bytes {
  if (scratch.length < length) scratch = new Uint8Array(length)
  return scratch
}

/** A base64url part of `token`, decoded as UTF-8 text; `null` if either decoding fails. */
function decodeText(part: string): string | null {
  const bytes = room(decodedLength(part))
  const written = decodeBase64UrlInto(part, bytes)
  return written < 0 ? null : utf8Decode(bytes.subarray(0, written))
}

/** A base64url part holding a strict JSON object (no duplicate keys, no `__proto__`), or `null`. */
export function decodeJsonPart(part: string): Record<string, unknown> | null {
  const text = decodeText(part)
  return text === null ? null : parseJsonObject(text)
}

/** The header fields we accept; anything we would have to understand but don't makes the token invalid. */
function acceptableHeader(header: Record<string, unknown>): header is { alg: JwsAlgorithm; kid?: string } {
  if (header.alg !== 'HS512' && header.alg !== 'ES512') return false
  if ('crit' in header || 'b64' in header || 'jku' in header || 'x5u' in header || 'jwk' in header) return false
  if (header.typ !== undefined && (typeof header.typ !== 'string' || header.typ.toUpperCase() !== 'JWT')) return false
  return header.kid === undefined || (typeof header.kid === 'string' && header.kid.length <= 256)
}

/** Keys of the header's algorithm, the one whose kid matches first, at most {@link maxKeysTried}. */
function candidates(keys: readonly JwsKey[], header: { alg: JwsAlgorithm; kid?: string }): readonly JwsKey[] {
  const sameAlg = keys.filter((k) => k.alg === header.alg)
  const byKid = header.kid === undefined ? [] : sameAlg.filter((k) => k.kid === header.kid)
  return [...byKid, ...sameAlg.filter((k) => !byKid.includes(k))].slice(0, maxKeysTried)
}

interface KnownHeader {
  header: Record<string, unknown>
  keys: readonly JwsKey[]
}

/**
 * What to do with a verified token: `payloadPart` is its still-encoded payload, `header` is shared
 * between tokens (do not change it), `context` is whatever the caller passed along with the token.
 */
export type ReadVerified<C, T> = (payloadPart: string, header: Readonly<Record<string, unknown>>, token: string, context: C) => T | null

/**
 * A verifier bound to `keys` (primary first, then fallbacks): `(token, context)` resolves to what `read`
 * makes of a token whose header and signature hold, or to `null` for anything invalid, never rejecting —
 * including when `read` throws.
 */
export function jwsVerifier<C, T>(keys: readonly JwsKey[], read: ReadVerified<C, T>): (token: unknown, context: C) => Promise<T | null> {
  // Only headers of verified tokens are kept, never those of unverified input, so nobody can fill this.
  const headers = new Map<string, KnownHeader>()

  return async function verify(token, context) {
    try {
      if (typeof token !== 'string' || token.length > maxJwsLength) return null
      const firstDot = token.indexOf('.')
      const lastDot = token.indexOf('.', firstDot + 1)
      if (firstDot < 0 || lastDot < 0 || token.indexOf('.', lastDot + 1) >= 0) return null
      const headerPart = token.slice(0, firstDot)
      let known = headers.get(headerPart)
      if (known === undefined) {
        const header = decodeJsonPart(headerPart)
        if (!header || !acceptableHeader(header)) return null
        known = { header, keys: candidates(keys, header) }
      }
      const alg = known.header.alg as JwsAlgorithm
      const length = signatureLength[alg]
      const bytes = room(length + lastDot * 3)
      let signature = bytes.subarray(0, length)
      const decoded = decodeBase64UrlInto(token.slice(lastDot + 1), signature)
      if (decoded !== length) return null
      const { read: encoded, written } = utf8.encodeInto(token.slice(0, lastDot), bytes.subarray(length))
      if (encoded !== lastDot) return null
      let signingInput = bytes.subarray(length, length + written)
      // Fallback keys: the loop awaits between checks, while other tokens reuse the scratch. Own copies.
      if (known.keys.length > 1) [signature, signingInput] = [signature.slice(), signingInput.slice()]
      for (const key of known.keys) {
        if (await crypto.subtle.verify(webCryptoParams(alg), key.key, signature, signingInput)) {
          if (headers.size < maxCachedHeaders) headers.set(headerPart, known)
          return read(token.slice(firstDot + 1, lastDot), known.header, token, context)
        }
      }
      return null
    } catch {
      return null
    }
  }
}
