import type { Bytes } from '../crypto/bytes.ts'
import { decodeHex, encodeHex } from '../crypto/hex.ts'

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** Token ids are lower-case UUIDs; anything else cannot name a row, so callers can skip the query. */
export function isTokenId(value: unknown): value is string {
  return typeof value === 'string' && uuidPattern.test(value)
}

export function uuidToBytes(id: string): Bytes {
  return decodeHex(id.replaceAll('-', ''))
}

export function bytesToUuid(bytes: Uint8Array): string {
  const hex = encodeHex(bytes)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
