import type { Bytes } from '../crypto/bytes.ts'
import { decodeHex, encodeHex } from '../crypto/hex.ts'

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** Token ids are lower-case UUIDs; anything else cannot name a row, so callers can skip the query. */
export function isTokenId(value: unknown): value is string {
  return typeof value === 'string' && uuidPattern.test(value)
}

/**
 * A token id as stored (lower case), or null if `value` is no UUID. Postgres compares uuid values, not text,
 * so an upper-case id names the same row: callers must not silently skip it.
 */
export function normalizeTokenId(value: unknown): string | null {
  if (typeof value !== 'string') return null
  const id = value.toLowerCase()
  return uuidPattern.test(id) ? id : null
}

export function uuidToBytes(id: string): Bytes {
  return decodeHex(id.replaceAll('-', ''))
}

export function bytesToUuid(bytes: Uint8Array): string {
  const hex = encodeHex(bytes)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
