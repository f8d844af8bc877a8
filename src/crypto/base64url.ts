import type { Bytes } from './bytes.ts'

const urlAlphabet = /^[A-Za-z0-9_-]*$/
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
 *
 * @example
 * ```ts
 * encodeBase64Url(new Uint8Array([251, 255])) // '-_8'
 * ```
 */
export function encodeBase64Url(bytes: Uint8Array): string {
  return btoa(bytesToBinary(bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/**
 * Strict base64url decoding: no padding, no whitespace, no `+`/`/`, and only the canonical encoding
 * (unused trailing bits must be zero), so every byte string has exactly one accepted spelling.
 * Returns `null` for anything else instead of throwing.
 *
 * @example
 * ```ts
 * decodeBase64Url('-_8')  // Uint8Array [251, 255]
 * decodeBase64Url('-_8=') // null
 * ```
 */
export function decodeBase64Url(text: unknown): Bytes | null {
  if (typeof text !== 'string' || text.length % 4 === 1 || !urlAlphabet.test(text)) return null
  let bytes: Bytes
  try {
    bytes = binaryToBytes(atob(text.replace(/-/g, '+').replace(/_/g, '/')))
  } catch {
    return null
  }
  return encodeBase64Url(bytes) === text ? bytes : null
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

/** Standard base64 with padding. */
export function encodeBase64(bytes: Uint8Array): string {
  return btoa(bytesToBinary(bytes))
}
