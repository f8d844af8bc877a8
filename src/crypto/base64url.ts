import type { Bytes } from './bytes.ts'

const urlAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
// Every 12-bit value as its two characters: encoding writes two table entries per three bytes.
const urlPairs = /* @__PURE__ */ Array.from({ length: 4096 }, (_, v) => urlAlphabet[v >> 6]! + urlAlphabet[v & 63]!)
// Character code → 6-bit value, -1 for anything outside the url alphabet (padding, '+', '/', whitespace).
const urlValues = new Int8Array(128).fill(-1)
for (let v = 0; v < 64; v++) urlValues[urlAlphabet.charCodeAt(v)] = v

function sextet(text: string, index: number): number {
  const code = text.charCodeAt(index)
  return code < 128 ? urlValues[code]! : -1
}

const standardAlphabet = /^[A-Za-z0-9+/]*={0,2}$/

function bytesToBinary(bytes: Uint8Array): string {
  // Chunked: String.fromCharCode(...big) overflows the argument limit on large inputs.
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return binary
}

function binaryToBytes(binary: string): Bytes {
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

/**
 * base64url without padding (RFC 4648 §5), as JWS uses it.
 */
export function encodeBase64Url(bytes: Uint8Array): string {
  // A table walk: every token passes through here, and btoa plus three regex passes cost ~10× more.
  const tail = bytes.length % 3
  const full = bytes.length - tail
  let text = ''
  for (let i = 0; i < full; i += 3) {
    const bits = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    text += urlPairs[bits >> 12]! + urlPairs[bits & 0xfff]!
  }
  if (tail === 1) text += urlPairs[bytes[full]! << 4]!
  else if (tail === 2) {
    const bits = (bytes[full]! << 10) | (bytes[full + 1]! << 2)
    text += urlPairs[bits >> 6]! + urlAlphabet[bits & 63]!
  }
  return text
}

/**
 * Strict base64url decoding: no padding, no whitespace, no `+`/`/`, and only the canonical encoding
 * (unused trailing bits must be zero), so every byte string has exactly one accepted spelling.
 * Returns `null` for anything else instead of throwing.
 */
export function decodeBase64Url(text: unknown): Bytes | null {
  if (typeof text !== 'string' || text.length % 4 === 1) return null
  const bytes = new Uint8Array(decodedLength(text))
  return decodeBase64UrlInto(text, bytes) < 0 ? null : bytes
}

/**
 * How many bytes the base64url `text` decodes to (when it is valid).
 */
export const decodedLength = (text: string): number => (text.length * 3) >> 2

/**
 * {@link decodeBase64Url} into `target` (at least {@link decodedLength} bytes): the number of bytes
 * written, or -1 if `text` is not strict, canonical base64url. Lets a hot path reuse one buffer.
 */
export function decodeBase64UrlInto(text: string, target: Uint8Array): number {
  const tail = text.length % 4
  if (tail === 1) return -1
  const full = text.length - tail
  let o = 0
  for (let i = 0; i < full; i += 4) {
    const a = sextet(text, i), b = sextet(text, i + 1), c = sextet(text, i + 2), d = sextet(text, i + 3)
    if ((a | b | c | d) < 0) return -1
    const bits = (a << 18) | (b << 12) | (c << 6) | d
    target[o++] = bits >> 16
    target[o++] = (bits >> 8) & 255
    target[o++] = bits & 255
  }
  // Canonical form only: the bits past the last whole byte must be zero ('QR' is not a spelling of 'QQ').
  if (tail === 2) {
    const a = sextet(text, full), b = sextet(text, full + 1)
    if ((a | b) < 0 || (b & 15) !== 0) return -1
    target[o++] = (a << 2) | (b >> 4)
  } else if (tail === 3) {
    const a = sextet(text, full), b = sextet(text, full + 1), c = sextet(text, full + 2)
    if ((a | b | c) < 0 || (c & 3) !== 0) return -1
    const bits = (a << 10) | (b << 4) | (c >> 2)
    target[o++] = bits >> 8
    target[o++] = bits & 255
  }
  return o
}

/** Standard base64 (PEM bodies), whitespace ignored; `null` if malformed. */
export function decodeBase64(text: string): Bytes | null {
  const compact = text.replace(/\s+/g, '')
  if (!standardAlphabet.test(compact)) return null
  try {
    return binaryToBytes(atob(compact))
  } catch {
    return null
  }
}

/**
 * Standard base64 with padding (PEM bodies, not tokens).
 */
export function encodeBase64(bytes: Uint8Array): string {
  return btoa(bytesToBinary(bytes))
}
