import { decodeBase64Url, encodeBase64Url } from '../crypto/base64url.ts'
import { type Bytes, concatBytes, utf8Encode } from '../crypto/bytes.ts'
import { bytesToUuid, uuidToBytes } from './ids.ts'
import type { WebCryptoKey } from '../crypto/web-types.ts'

// `etmrt_` + base64url(version ‖ row id ‖ fixed secret ‖ rotating secret). The prefix lets secret
// scanners spot leaked tokens; the version byte lets the layout change without ambiguity.
const prefix = 'etmrt_'
const version = 1
const idLength = 16
const fixedSecretLength = 16
const rotatingSecretLength = 32
const encodedLength = prefix.length + Math.ceil(((1 + idLength + fixedSecretLength + rotatingSecretLength) * 4) / 3)

export interface RefreshTokenParts {
  id: string
  /** Never changes: proves the caller once held this family, so an id alone cannot revoke it. */
  fixedSecret: Bytes
  /** Replaced on every refresh. */
  rotatingSecret: Bytes
}

export const refreshSecretLengths = { fixed: fixedSecretLength, rotating: rotatingSecretLength }

export function encodeRefreshToken({ id, fixedSecret, rotatingSecret }: RefreshTokenParts): string {
  return prefix + encodeBase64Url(concatBytes(Uint8Array.of(version), uuidToBytes(id), fixedSecret, rotatingSecret))
}

/** null for anything that is not a refresh token of this library. */
export function decodeRefreshToken(token: unknown): RefreshTokenParts | null {
  if (typeof token !== 'string' || token.length !== encodedLength || !token.startsWith(prefix)) return null
  const bytes = decodeBase64Url(token.slice(prefix.length))
  if (!bytes || bytes[0] !== version) return null
  const fixedStart = 1 + idLength
  const rotatingStart = fixedStart + fixedSecretLength
  return {
    id: bytesToUuid(bytes.subarray(1, fixedStart)),
    fixedSecret: bytes.slice(fixedStart, rotatingStart),
    rotatingSecret: bytes.slice(rotatingStart),
  }
}

const rotationLabel = utf8Encode('edge-token-managers refresh rotation v1\0')

/**
 * The next rotating secret is derived, not random: HMAC(pepper key, label ‖ id ‖ current secret).
 * Every caller that rotates from the same secret therefore gets the same successor, which is what makes
 * a retry inside the grace window idempotent without ever storing a secret in plaintext. `length` ≤ 64.
 */
export async function deriveNextRotatingSecret(rotationKey: WebCryptoKey, id: string, current: Uint8Array, length = rotatingSecretLength): Promise<Bytes> {
  const mac = await crypto.subtle.sign('HMAC', rotationKey, concatBytes(rotationLabel, uuidToBytes(id), current))
  return new Uint8Array(mac, 0, length).slice()
}
