import { concatBytes, utf8Encode, type Bytes } from '../crypto/bytes.ts'
import type { RefreshTokenParts } from '../managers/formats.ts'
import { bytesToUuid, uuidToBytes } from '../managers/ids.ts'
import { decodePaddedBase64, encodePaddedBase64 } from './base64.ts'

// Serverpod 3.4's token strings. Refresh: `sajrt:` + id : fixed secret : rotating secret, each in padded
// standard base64. Session: padded base64url of `sas` ‖ id (16 bytes) ‖ secret.

const refreshPrefix = 'sajrt:'
/** Serverpod's defaults (refreshTokenFixedSecretLength, refreshTokenRotatingSecretLength). */
export const serverpodRefreshSecretLengths = { fixed: 16, rotating: 64 }
// Bounds on what a presented token may carry: secrets of other lengths are Serverpod options.
const maxSecretLength = 256

export function encodeServerpodRefreshToken({ id, fixedSecret, rotatingSecret }: RefreshTokenParts): string {
  return refreshPrefix + [uuidToBytes(id), fixedSecret, rotatingSecret].map((part) => encodePaddedBase64(part, 'standard')).join(':')
}

export function decodeServerpodRefreshToken(token: unknown): RefreshTokenParts | null {
  if (typeof token !== 'string' || !token.startsWith(refreshPrefix) || token.length > 1_000) return null
  const parts = token.slice(refreshPrefix.length).split(':')
  if (parts.length !== 3) return null
  const [id, fixedSecret, rotatingSecret] = parts.map((part) => decodePaddedBase64(part, 'standard'))
  if (id?.length !== 16 || !fixedSecret?.length || !rotatingSecret?.length || fixedSecret.length > maxSecretLength || rotatingSecret.length > maxSecretLength) {
    return null
  }
  return { id: bytesToUuid(id), fixedSecret, rotatingSecret }
}

const sessionPrefix = utf8Encode('sas')
const sessionHead = sessionPrefix.length + 16

export function encodeServerpodSessionToken(id: string, secret: Uint8Array): string {
  return encodePaddedBase64(concatBytes(sessionPrefix, uuidToBytes(id), secret), 'url')
}

export function decodeServerpodSessionToken(token: unknown): { id: string; secret: Bytes } | null {
  // `c2Fz` is `sas` in base64: three bytes, four characters, so the prefix never depends on what follows.
  if (typeof token !== 'string' || !token.startsWith('c2Fz') || token.length > 400) return null
  const bytes = decodePaddedBase64(token, 'url')
  if (!bytes || bytes.length < sessionHead + 16) return null
  return { id: bytesToUuid(bytes.subarray(sessionPrefix.length, sessionHead)), secret: bytes.slice(sessionHead) }
}
