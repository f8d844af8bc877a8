import { concatBytes, randomBytes, timingSafeEqual, utf8Encode, type Bytes } from './bytes.ts'
import { ConfigError, UnsupportedAlgorithmError } from './errors.ts'
import { Loading } from './loading.ts'
import type { WebCryptoKey } from './web-types.ts'

/**
 * How secrets are hashed. HMAC-SHA512 (default) suits high-entropy random secrets such as token keys;
 * PBKDF2-SHA512 adds deliberate CPU cost on every check. Cloudflare Workers refuse more than
 * 100 000 PBKDF2 iterations, so that is the ceiling here too.
 */
export type SecretHashAlgorithm = { name: 'HMAC-SHA512' } | { name: 'PBKDF2-SHA512'; iterations: number }

/** `hash()` output starts with this byte, so the layout can change without ambiguity. */
const formatVersion = 1
const algorithmIds = { 'HMAC-SHA512': 1, 'PBKDF2-SHA512': 2 } as const
const digestLength = 64
/**
 * The most PBKDF2 iterations a hash may use: Workers refuse more, and a stored hash claiming more is
 * treated as malformed, so a tampered row cannot make one check run for minutes.
 */
export const maxPbkdf2Iterations = 100_000

/** `'current'`: matched with the primary pepper and algorithm. `'outdated'`: matched, but re-hash it. */
export type SecretHashVerdict = 'current' | 'outdated' | null

interface ParsedHash {
  algorithm: SecretHashAlgorithm
  salt: Uint8Array
  digest: Uint8Array
}

// [version][algorithm id][iterations, u32 big-endian, PBKDF2 only][salt length][salt][digest]
function parse(stored: Uint8Array): ParsedHash | null {
  if (stored.length < 3 || stored[0] !== formatVersion) return null
  let offset = 2
  let algorithm: SecretHashAlgorithm
  if (stored[1] === algorithmIds['HMAC-SHA512']) algorithm = { name: 'HMAC-SHA512' }
  else if (stored[1] === algorithmIds['PBKDF2-SHA512'] && stored.length >= 7) {
    const iterations = new DataView(stored.buffer, stored.byteOffset + 2, 4).getUint32(0)
    if (iterations < 1 || iterations > maxPbkdf2Iterations) return null
    algorithm = { name: 'PBKDF2-SHA512', iterations }
    offset = 6
  } else return null
  const saltLength = stored[offset]!
  const salt = stored.subarray(offset + 1, offset + 1 + saltLength)
  const digest = stored.subarray(offset + 1 + saltLength)
  return digest.length === digestLength && salt.length === saltLength ? { algorithm, salt, digest } : null
}

function serialize({ algorithm, salt, digest }: ParsedHash): Bytes {
  const iterations = new Uint8Array(algorithm.name === 'PBKDF2-SHA512' ? 4 : 0)
  if (algorithm.name === 'PBKDF2-SHA512') new DataView(iterations.buffer).setUint32(0, algorithm.iterations)
  return concatBytes(Uint8Array.of(formatVersion, algorithmIds[algorithm.name]), iterations, Uint8Array.of(salt.length), salt, digest)
}

export function checkAlgorithm(algorithm: SecretHashAlgorithm): SecretHashAlgorithm {
  if (algorithm?.name === 'HMAC-SHA512') return { name: 'HMAC-SHA512' }
  if (algorithm?.name === 'PBKDF2-SHA512') {
    const { iterations } = algorithm
    if (!Number.isInteger(iterations) || iterations < 1_000 || iterations > maxPbkdf2Iterations) {
      throw new ConfigError(`PBKDF2-SHA512 iterations must be an integer from 1000 to ${maxPbkdf2Iterations}.`)
    }
    return { name: 'PBKDF2-SHA512', iterations }
  }
  throw new ConfigError("The secret hash algorithm must be { name: 'HMAC-SHA512' } or { name: 'PBKDF2-SHA512', iterations }.")
}

/**
 * Hashes random secrets with a pepper (a server-side key that never enters the database) and a
 * per-hash salt; verifies against the primary pepper and any fallback peppers, in constant time.
 * A database leak alone therefore yields nothing that can be checked offline.
 */
export class SecretHasher {
  readonly algorithm: SecretHashAlgorithm
  readonly saltLength: number
  /** No salt: `hash()` of a secret is always the same bytes, so a database can compare it (see `SecretHashing`). */
  readonly deterministic: boolean
  readonly #peppers: Loading<WebCryptoKey[]>

  constructor(options: { pepper: string; fallbackPeppers?: readonly string[]; algorithm?: SecretHashAlgorithm; saltLength?: number }) {
    this.algorithm = checkAlgorithm(options.algorithm ?? { name: 'HMAC-SHA512' })
    this.saltLength = options.saltLength ?? 16
    if (!Number.isInteger(this.saltLength) || this.saltLength < 0 || this.saltLength > 255) {
      throw new ConfigError('The salt length must be an integer from 0 to 255.')
    }
    this.deterministic = this.saltLength === 0
    const peppers = [options.pepper, ...(options.fallbackPeppers ?? [])]
    this.#peppers = new Loading(() => Promise.all(
      peppers.map((pepper) => crypto.subtle.importKey('raw', utf8Encode(pepper), { name: 'HMAC', hash: 'SHA-512' }, false, ['sign'])),
    ).catch((cause) => {
      throw new UnsupportedAlgorithmError('This runtime\'s Web Crypto has no HMAC SHA-512.', { cause })
    }))
  }

  /** Resolves once the pepper keys are imported (and PBKDF2 proven available if configured). */
  async ready(): Promise<void> {
    await this.#peppers.promise
    if (this.algorithm.name === 'PBKDF2-SHA512') {
      try {
        await pbkdf2(new Uint8Array(64), new Uint8Array(16), 1_000)
      } catch (cause) {
        throw new UnsupportedAlgorithmError('This runtime\'s Web Crypto has no PBKDF2 with SHA-512.', { cause })
      }
    }
  }

  /** A fresh stored hash of `secret` under the primary pepper and the configured algorithm. */
  async hash(secret: Uint8Array): Promise<Bytes> {
    const [primary] = this.#peppers.value ?? (await this.#peppers.promise)
    const salt = randomBytes(this.saltLength)
    return serialize({ algorithm: this.algorithm, salt, digest: await digest(primary!, this.algorithm, salt, secret) })
  }

  /**
   * Whether `secret` matches `stored`: `'current'`, `'outdated'` (a fallback pepper or an older
   * algorithm matched: store a fresh `hash()`), or `null`. Malformed stored values give `null`.
   */
  async verify(secret: Uint8Array, stored: Uint8Array): Promise<SecretHashVerdict> {
    const parsed = parse(stored)
    if (!parsed) return null
    const peppers = this.#peppers.value ?? (await this.#peppers.promise)
    for (let i = 0; i < peppers.length; i++) {
      const candidate = await digest(peppers[i]!, parsed.algorithm, parsed.salt, secret)
      if (timingSafeEqual(candidate, parsed.digest)) {
        return i === 0 && sameAlgorithm(parsed.algorithm, this.algorithm) && parsed.salt.length === this.saltLength ? 'current' : 'outdated'
      }
    }
    return null
  }
}

function sameAlgorithm(a: SecretHashAlgorithm, b: SecretHashAlgorithm): boolean {
  return a.name === 'PBKDF2-SHA512' ? b.name === 'PBKDF2-SHA512' && a.iterations === b.iterations : a.name === b.name
}

async function pbkdf2(password: Uint8Array<ArrayBuffer>, salt: Uint8Array, iterations: number): Promise<Bytes> {
  const key = await crypto.subtle.importKey('raw', password, 'PBKDF2', false, ['deriveBits'])
  const salted = new Uint8Array(salt)
  return new Uint8Array(await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-512', salt: salted, iterations }, key, digestLength * 8))
}

async function digest(pepper: WebCryptoKey, algorithm: SecretHashAlgorithm, salt: Uint8Array, secret: Uint8Array): Promise<Bytes> {
  const peppered = new Uint8Array(await crypto.subtle.sign('HMAC', pepper, concatBytes(salt, secret)))
  return algorithm.name === 'PBKDF2-SHA512' ? pbkdf2(peppered, salt, algorithm.iterations) : peppered
}
