import type { Bytes } from './bytes.ts'

// Every byte as its two lower-case hex digits.
const hexPairs = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'))

/**
 * Lower-case hex, two digits per byte.
 */
export function encodeHex(bytes: Uint8Array): string {
  let hex = ''
  for (const byte of bytes) hex += hexPairs[byte]!
  return hex
}

/**
 * The bytes of a hex string from a trusted source (a UUID we checked, a Postgres bytea). It does not
 * validate: callers never hand it untrusted text.
 */
export function decodeHex(hex: string): Bytes {
  const bytes = new Uint8Array(hex.length / 2)
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return bytes
}
