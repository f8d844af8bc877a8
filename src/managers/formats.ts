import type { Bytes } from '../crypto/bytes.ts'
import { SecretHasher, type SecretHashAlgorithm, type SecretHashVerdict } from '../crypto/secret-hash.ts'
import { decodeRefreshToken, encodeRefreshToken, refreshSecretLengths, type RefreshTokenParts } from './refresh-token.ts'
import { decodeSessionToken, encodeSessionToken } from './session-token.ts'

/** Hashes a secret for storage and checks a presented one against a stored hash (constant time). */
export interface SecretHashing {
  /** Resolves once keys are imported; rejects with a typed error if the runtime lacks a primitive. */
  ready(): Promise<void>
  hash(secret: Uint8Array): Promise<Bytes>
  /** `'current'`, `'outdated'` (matched, but store a fresh `hash()`), or null; malformed stored values give null. */
  verify(secret: Uint8Array, stored: Uint8Array): Promise<SecretHashVerdict>
  /**
   * `hash()` gives the same bytes for the same secret (no salt), so the store can match a presented secret
   * inside its statement instead of reading the row first. Safe for random secrets of 128 bits or more.
   */
  readonly deterministic?: boolean
}

/** What a config hands a hasher factory: its validated peppers (held privately) and hashing options. */
export interface HasherOptions {
  pepper: string
  fallbackPeppers: readonly string[]
  algorithm?: SecretHashAlgorithm
  saltLength?: number
}

export type { RefreshTokenParts }

/** How refresh tokens are written and their secrets stored. */
export interface RefreshTokenFormat {
  /** Random bytes per secret. The rotating one is derived on refresh, so at most 64 (one HMAC-SHA512). */
  secretLengths: { fixed: number; rotating: number }
  encode(parts: RefreshTokenParts): string
  /** null for anything that is not a refresh token in this format. */
  decode(token: unknown): RefreshTokenParts | null
  hashers(options: HasherOptions): { fixed: SecretHashing; rotating: SecretHashing }
}

/** How session tokens are written and their secrets stored. */
export interface SessionTokenFormat {
  encode(id: string, secret: Uint8Array): string
  /** null for anything that is not a session token in this format. */
  decode(token: unknown): { id: string; secret: Bytes } | null
  hasher(options: HasherOptions): SecretHashing
}

/**
 * The token strings and stored hashes a store's tables hold. A store without `formats` gets this
 * library's own ({@link defaultFormats}); `edge-token-managers/serverpod` supplies Serverpod's.
 */
export interface TokenFormats {
  refreshToken: RefreshTokenFormat
  session: SessionTokenFormat
  /** The access-token leeway (ms) used when `JwtConfig` sets no `clockTolerance`. Default 5 s. */
  clockTolerance?: number
}

/** `etmrt_`/`etmst_` tokens and peppered HMAC-SHA512 (or PBKDF2) hashes: the default mode. */
export const defaultFormats: TokenFormats = {
  refreshToken: {
    secretLengths: refreshSecretLengths,
    encode: encodeRefreshToken,
    decode: decodeRefreshToken,
    hashers: (options) => {
      // Refresh secrets are 128 and 256 random bits behind a pepper: a salt adds nothing, and without one an
      // HMAC hash is deterministic, which lets a refresh be one statement. PBKDF2 keeps its salt.
      const saltLength = options.saltLength ?? (options.algorithm?.name === 'PBKDF2-SHA512' ? 16 : 0)
      const hasher = new SecretHasher({ ...options, saltLength })
      return { fixed: hasher, rotating: hasher }
    },
  },
  session: {
    encode: encodeSessionToken,
    decode: decodeSessionToken,
    hasher: (options) => new SecretHasher(options),
  },
}
