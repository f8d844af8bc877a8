import { decodeBase64Url, decodeBase64UrlInto, decodedLength, encodeBase64Url } from './base64url.ts'
import { utf8Decode, utf8Encode, type Bytes } from './bytes.ts'
import { parseJsonObject } from './json.ts'

/** The JWS algorithms this library signs and verifies with. */
export type JwsAlgorithm = 'HS512' | 'ES512'

/**
 * A key bound to exactly one algorithm: an HS512 key never checks an ES512 signature and vice
 * versa, whatever the token's header claims (RFC 8725 §3.1).
 */
export interface JwsKey {
  alg: JwsAlgorithm
  key: CryptoKey
  /** Written into the header when signing; used to pick the key first when verifying. */
  kid?: string
}

/** A verified compact JWS: its header and its payload bytes. */
export interface VerifiedJws {
  header: Record<string, unknown>
  payload: Bytes
}

/** A verified JWT: its header and its claims object. */
export interface VerifiedJwt {
  header: Record<string, unknown>
  payload: Record<string, unknown>
}

/** Tokens longer than this are refused before any decoding: bounds work on hostile input. */
export const maxJwsLength = 16_384
/** How many candidate keys one token may cost us at most (primary + fallbacks). */
const maxKeysTried = 8

// A key signs the same header every time, so tokens repeat a handful of header strings. Decoding one is a
// pure function of the string: headers of verified tokens are kept (never those of unverified input, so
// nobody can fill the cache) and reused; the signature is still checked on every token.
const verifiedHeaders = new Map<string, Record<string, unknown>>()
const maxCachedHeaders = 32

const signatureLength: Record<JwsAlgorithm, number> = { HS512: 64, ES512: 132 }

function webCryptoParams(alg: JwsAlgorithm): AlgorithmIdentifier | EcdsaParams {
  return alg === 'HS512' ? 'HMAC' : { name: 'ECDSA', hash: 'SHA-512' }
}

const encodeJson = (value: unknown) => encodeBase64Url(utf8Encode(JSON.stringify(value)))

/**
 * Signs claims as a compact JWS with header `{ alg, typ: 'JWT', kid? }`.
 */
export async function signJws(payload: Record<string, unknown>, key: JwsKey): Promise<string> {
  const header = { alg: key.alg, typ: 'JWT', ...(key.kid !== undefined && { kid: key.kid }) }
  const signingInput = `${encodeJson(header)}.${encodeJson(payload)}`
  const signature = await crypto.subtle.sign(webCryptoParams(key.alg), key.key, utf8Encode(signingInput))
  return `${signingInput}.${encodeBase64Url(new Uint8Array(signature))}`
}

// JSON parts are decoded into this buffer and turned into text at once, with no await in between: one
// buffer serves every token instead of an allocation per part (off the V8 heap past 64 bytes: slow).
let scratch = new Uint8Array(1024)

function decodeText(part: string): string | null {
  const length = decodedLength(part)
  if (scratch.length < length) scratch = new Uint8Array(length)
  const written = decodeBase64UrlInto(part, scratch)
  return written < 0 ? null : utf8Decode(scratch.subarray(0, written))
}

function decodeJsonPart(part: string): Record<string, unknown> | null {
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

/** Keys of the header's algorithm, the one whose kid matches first. */
function candidates(keys: readonly JwsKey[], header: { alg: JwsAlgorithm; kid?: string }): readonly JwsKey[] {
  // The common case, one key: nothing to order or bound.
  if (keys.length === 1) return keys[0]!.alg === header.alg ? keys : []
  const sameAlg = keys.filter((k) => k.alg === header.alg)
  if (header.kid === undefined) return sameAlg.slice(0, maxKeysTried)
  const byKid = sameAlg.filter((k) => k.kid === header.kid)
  return [...byKid, ...sameAlg.filter((k) => k.kid !== header.kid)].slice(0, maxKeysTried)
}

/** Checks the header and the signature; the payload part is handed back still encoded. */
async function verifySignature(token: unknown, keys: readonly JwsKey[]): Promise<{ header: Record<string, unknown>; payloadPart: string } | null> {
  if (typeof token !== 'string' || token.length > maxJwsLength) return null
  const firstDot = token.indexOf('.')
  const lastDot = token.indexOf('.', firstDot + 1)
  if (firstDot < 0 || lastDot < 0 || token.indexOf('.', lastDot + 1) >= 0) return null
  const headerPart = token.slice(0, firstDot)
  const header = verifiedHeaders.get(headerPart) ?? decodeJsonPart(headerPart)
  if (!header || !acceptableHeader(header)) return null
  const signature = decodeBase64Url(token.slice(lastDot + 1))
  if (!signature || signature.length !== signatureLength[header.alg]) return null

  // A fresh buffer, never the scratch one: Web Crypto may read it after this function has moved on.
  const signingInput = utf8Encode(token.slice(0, lastDot))
  for (const candidate of candidates(keys, header)) {
    if (await crypto.subtle.verify(webCryptoParams(candidate.alg), candidate.key, signature, signingInput)) {
      if (verifiedHeaders.size < maxCachedHeaders) verifiedHeaders.set(headerPart, header)
      return { header: { ...header }, payloadPart: token.slice(firstDot + 1, lastDot) }
    }
  }
  return null
}

/** Header and signature checked, then the payload part decoded; `null` for any failure, never a throw. */
async function verifyAndDecode<T>(
  token: unknown,
  keys: readonly JwsKey[],
  decodePayload: (part: string) => T | null,
): Promise<{ header: Record<string, unknown>; payload: T } | null> {
  try {
    const signed = await verifySignature(token, keys)
    const payload = signed && decodePayload(signed.payloadPart)
    return payload ? { header: signed!.header, payload } : null
  } catch {
    return null
  }
}

/**
 * Verifies a compact JWS against a set of keys (primary first, then fallbacks) and returns its header
 * and payload bytes, or `null` for anything invalid: never throws. The header is strict (known `alg`,
 * no `crit`, `typ` JWT if present); the payload is not interpreted — see {@link verifyJwt}.
 */
export function verifyJws(token: unknown, keys: readonly JwsKey[]): Promise<VerifiedJws | null> {
  return verifyAndDecode(token, keys, decodeBase64Url)
}

/**
 * Verifies a JWT: a compact JWS ({@link verifyJws}) whose payload is a JSON object without duplicate
 * keys. Returns `null` for anything else. Only the signature is checked here; the claims (`exp`, `iss`,
 * …) are the caller's.
 */
export function verifyJwt(token: unknown, keys: readonly JwsKey[]): Promise<VerifiedJwt | null> {
  return verifyAndDecode(token, keys, decodeJsonPart)
}
