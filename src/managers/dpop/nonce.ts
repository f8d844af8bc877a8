// Server nonces of RFC 9449 §8, stateless: a nonce is a time window's number and its MAC, so every isolate
// holding the secret issues and accepts the same ones, with nothing stored. A nonce stays good for the window
// it was issued in and the next one, so a client that just got one is never refused at a window's edge.
import { decodeBase64Url, encodeBase64Url } from '../../crypto/base64url.ts'
import { concatBytes, timingSafeEqual, utf8Encode } from '../../crypto/bytes.ts'
import { ConfigError } from '../../crypto/errors.ts'
import type { WebCryptoKey } from '../../crypto/web-types.ts'
import { toMilliseconds } from '../duration.ts'
import type { Duration } from '../types.ts'

/** Server nonces: a shared secret (every isolate must have the same) and how long each nonce window lasts. */
export interface DpopNonceOptions {
  /** At least 32 bytes; only MACs nonces, so it can be rotated at will (clients just retry once). */
  secret: string | Uint8Array
  /** Default 5 minutes; a nonce is accepted for up to twice this. */
  lifetime?: Duration
}

const macLength = 16

function windowBytes(window: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(8)
  new DataView(bytes.buffer).setBigUint64(0, BigInt(window))
  return bytes
}

/**
 * Issues and checks server nonces.
 *
 * @example
 * ```ts
 * const nonces = new DpopNonces({ secret: env.DPOP_NONCE_SECRET }, () => Date.now())
 * response.headers.set('DPoP-Nonce', await nonces.current())
 * if (!(await nonces.check(claims.nonce))) throw new DpopNonceRequiredError(await nonces.current())
 * ```
 */
export class DpopNonces {
  readonly #key: Promise<WebCryptoKey>
  readonly #lifetime: number
  readonly #now: () => number
  #cached: { window: number; nonce: string } | undefined

  constructor(options: DpopNonceOptions, now: () => number) {
    const secret = typeof options?.secret === 'string' ? utf8Encode(options.secret) : options?.secret
    if (!(secret instanceof Uint8Array) || secret.length < 32) throw new ConfigError('dpop nonce secret must be at least 32 bytes.')
    this.#lifetime = toMilliseconds(options.lifetime ?? '5m', 'dpop nonce lifetime')
    this.#now = now
    this.#key = crypto.subtle.importKey('raw', new Uint8Array(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  }

  async #mac(window: number): Promise<Uint8Array> {
    const mac = await crypto.subtle.sign('HMAC', await this.#key, windowBytes(window))
    return new Uint8Array(mac, 0, macLength)
  }

  /** The nonce to hand out now (the same string for the whole window). */
  async current(): Promise<string> {
    const window = Math.floor(this.#now() / this.#lifetime)
    if (this.#cached?.window === window) return this.#cached.nonce
    const nonce = encodeBase64Url(concatBytes(windowBytes(window), await this.#mac(window)))
    this.#cached = { window, nonce }
    return nonce
  }

  /** Whether `nonce` is one this secret issued in the current or the previous window. */
  async check(nonce: unknown): Promise<boolean> {
    const bytes = typeof nonce === 'string' && nonce.length <= 64 ? decodeBase64Url(nonce) : null
    if (!bytes || bytes.length !== 8 + macLength) return false
    const window = Number(new DataView(bytes.buffer).getBigUint64(0))
    const current = Math.floor(this.#now() / this.#lifetime)
    if (window !== current && window !== current - 1) return false
    return timingSafeEqual(bytes.subarray(8), await this.#mac(window))
  }
}
