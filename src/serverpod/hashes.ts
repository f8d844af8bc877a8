import { concatBytes, randomBytes, timingSafeEqual, utf8Encode, type Bytes } from '../crypto/bytes.ts'
import type { SecretHashVerdict } from '../crypto/secret-hash.ts'
import type { HasherOptions, SecretHashing } from '../managers/formats.ts'

/**
 * Serverpod keeps a refresh token's fixed secret as it is (it only proves the caller once held the
 * family); "hashing" is the identity and checking a constant-time compare.
 */
export const rawFixedSecret: SecretHashing = {
  ready: async () => {},
  hash: async (secret) => secret.slice(),
  verify: async (secret, stored) => (timingSafeEqual(secret, stored) ? 'current' : null),
}

/**
 * A session row's two columns as the managers see them, one byte string: salt length ‖ salt ‖ hash.
 * The store splits and joins them; only this file and the store know the layout.
 */
export function packSessionHash(salt: Uint8Array, hash: Uint8Array): Bytes {
  return salt.length > 255 ? new Uint8Array(0) : concatBytes(Uint8Array.of(salt.length), salt, hash)
}

export function unpackSessionHash(packed: Uint8Array): { salt: Bytes; hash: Bytes } | null {
  if (packed.length < 1 || packed.length < 1 + packed[0]!) return null
  return { salt: packed.slice(1, 1 + packed[0]!), hash: packed.slice(1 + packed[0]!) }
}

const digestLength = 64
const saltedVersion = 1
const sha512 = async (...parts: Uint8Array[]): Promise<Bytes> => new Uint8Array(await crypto.subtle.digest('SHA-512', concatBytes(...parts)))

/**
 * Serverpod's session key hash: `0x01 ‖ SHA-512(secret ‖ salt ‖ pepper)`, the salt in its own column.
 * Rows from before the salt was folded in hold a bare `SHA-512(secret ‖ pepper)`: they verify as
 * `'outdated'`, so the manager re-hashes them, as Serverpod does on use. A match by a fallback pepper is
 * `'outdated'` too (Serverpod accepts it and keeps the hash; re-hashing it keeps both sides verifying).
 */
export class ServerpodSessionHasher implements SecretHashing {
  readonly #peppers: Bytes[]
  readonly #saltLength: number

  constructor(options: HasherOptions) {
    this.#peppers = [options.pepper, ...options.fallbackPeppers].map(utf8Encode)
    this.#saltLength = options.saltLength ?? 16
  }

  async ready(): Promise<void> {}

  async hash(secret: Uint8Array): Promise<Bytes> {
    const salt = randomBytes(this.#saltLength)
    return packSessionHash(salt, concatBytes(Uint8Array.of(saltedVersion), await sha512(secret, salt, this.#peppers[0]!)))
  }

  async verify(secret: Uint8Array, stored: Uint8Array): Promise<SecretHashVerdict> {
    const row = unpackSessionHash(stored)
    if (!row) return null
    const legacy = row.hash.length === digestLength
    const [version] = row.hash // the layout byte, not secret
    if (!legacy && (row.hash.length !== 1 + digestLength || version !== saltedVersion)) return null
    const digest = legacy ? row.hash : row.hash.subarray(1)
    for (let i = 0; i < this.#peppers.length; i++) {
      const candidate = legacy ? await sha512(secret, this.#peppers[i]!) : await sha512(secret, row.salt, this.#peppers[i]!)
      if (timingSafeEqual(candidate, digest)) return i === 0 && !legacy ? 'current' : 'outdated'
    }
    return null
  }
}
