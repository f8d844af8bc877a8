import { decodeBase64Url, encodeBase64Url } from '../crypto/base64url.ts'
import { type Bytes, concatBytes } from '../crypto/bytes.ts'
import { bytesToUuid, uuidToBytes } from './ids.ts'

// `etmst_` + base64url(version ‖ session id ‖ secret). Distinct from refresh tokens (`etmrt_`) and JWTs.
const prefix = 'etmst_'
const version = 1
const idLength = 16
// Secrets shorter than 16 bytes are refused by config; the cap bounds work on hostile input.
const maxSecretLength = 256

export function encodeSessionToken(id: string, secret: Uint8Array): string {
  return prefix + encodeBase64Url(concatBytes(Uint8Array.of(version), uuidToBytes(id), secret))
}

/** null for anything that is not a session token of this library. */
export function decodeSessionToken(token: unknown): { id: string; secret: Bytes } | null {
  if (typeof token !== 'string' || !token.startsWith(prefix) || token.length > prefix.length + 400) return null
  const bytes = decodeBase64Url(token.slice(prefix.length))
  if (!bytes || bytes[0] !== version || bytes.length < 1 + idLength + 16 || bytes.length > 1 + idLength + maxSecretLength) {
    return null
  }
  return { id: bytesToUuid(bytes.subarray(1, 1 + idLength)), secret: bytes.slice(1 + idLength) }
}
