// RFC 9449 §4.3: everything a server checks in a DPoP proof, in the RFC's order, each failure a typed
// error. Web Crypto only; the one piece of state is this isolate's memory of accepted proofs.
import { timingSafeEqual, utf8Encode } from '../../crypto/bytes.ts'
import { ConfigError } from '../../crypto/errors.ts'
import { normalizeHtu } from '../../crypto/dpop-htu.ts'
import { dpopAlgorithms, importDpopPublicKey, isDpopAlgorithm, supportedDpopAlgorithms, type DpopAlgorithm } from '../../crypto/dpop-keys.ts'
import { accessTokenHash, parseDpopProof, verifyDpopSignature } from '../../crypto/dpop-proof.ts'
import { jwkThumbprint } from '../../crypto/keys.ts'
import type { Jwk, WebCryptoKey } from '../../crypto/web-types.ts'
import { toMilliseconds } from '../duration.ts'
import { Lru } from '../lru.ts'
import type { Duration } from '../types.ts'
import { DpopNonceRequiredError, DpopProofInvalidError, DpopProofMissingError, DpopProofReplayedError } from './errors.ts'
import { DpopNonces, type DpopNonceOptions } from './nonce.ts'
import { ReplayGuard } from './replay.ts'
import type { VerifiedDpopProof } from './types.ts'

/** How proofs are checked. Every option has a default; `{}` accepts ES256, ES384, ES512 and EdDSA proofs. */
export interface DpopOptions {
  /** Accepted proof algorithms (those the runtime lacks are dropped). Default all of ES256, ES384, ES512, EdDSA. */
  algorithms?: readonly DpopAlgorithm[]
  /** How old a proof's `iat` may be. Default 60 s. */
  proofMaxAge?: Duration
  /** How far in the future a proof's `iat` may be (the client's clock runs ahead). Default 5 s. */
  proofClockSkew?: Duration
  /** Accepted proofs remembered per isolate to refuse replays. Default 10 000 (~1.5 MB at most). */
  replayCacheSize?: number
  /** Require server nonces (RFC 9449 §8). Off by default. */
  nonce?: DpopNonceOptions
}

/** The request a proof must fit. */
export interface DpopRequest {
  /** The HTTP method, as sent (`POST`). */
  method: string
  /** The URL the client addressed (behind a proxy: the public one). */
  url: string
  /** At a resource: the access token the request presents; the proof's `ath` must be its hash. */
  accessToken?: string
}


const maxJtiLength = 256

// Proofs this module accepted: a manager binds or admits a token only for one of these, never for a
// look-alike object put together elsewhere.
const accepted = new WeakSet<object>()

/**
 * The key thumbprint of `proof` if a `DpopVerifier` accepted it; `undefined` for anything else.
 *
 * @example
 * ```ts
 * acceptedJkt(await verifier.verify(proof, request)) // 'NzbLsXh8…'; acceptedJkt({ jkt: 'x' }) → undefined
 * ```
 */
export function acceptedJkt(proof: unknown): string | undefined {
  return typeof proof === 'object' && proof !== null && accepted.has(proof) ? (proof as VerifiedDpopProof).jkt : undefined
}

/**
 * Verifies DPoP proofs (RFC 9449 §4.3): `typ`, algorithm, public `jwk`, signature, `htm`, `htu`, `iat`
 * window, `jti` replay, server nonce and `ath`. Failures throw `ERR_DPOP_*` errors.
 *
 * @example
 * ```ts
 * const dpop = new DpopVerifier({ proofMaxAge: '60s' })
 * const { jkt } = await dpop.verify(c.req.header('DPoP'), { method: 'GET', url: c.req.url, accessToken })
 * ```
 */
export class DpopVerifier {
  readonly #algorithms: Promise<readonly DpopAlgorithm[]>
  readonly #maxAge: number
  readonly #skew: number
  readonly #replays: ReplayGuard
  readonly #nonces: DpopNonces | null
  readonly #now: () => number
  // A client signs every request with one key: import and hash it once.
  readonly #keys = new Lru<string, Promise<{ key: WebCryptoKey | null; jkt: string }>>(256)

  constructor(options: DpopOptions = {}, now: () => number = Date.now) {
    const wanted = options.algorithms ?? dpopAlgorithms
    if (!Array.isArray(wanted) || wanted.length === 0 || !wanted.every(isDpopAlgorithm)) {
      throw new ConfigError(`dpop algorithms must be a non-empty list of ${dpopAlgorithms.join(', ')}.`)
    }
    this.#algorithms = supportedDpopAlgorithms().then((supported) => wanted.filter((alg) => supported.includes(alg)))
    this.#maxAge = toMilliseconds(options.proofMaxAge ?? '60s', 'dpop proofMaxAge')
    this.#skew = toMilliseconds(options.proofClockSkew ?? '5s', 'dpop proofClockSkew', { allowZero: true })
    const size = options.replayCacheSize ?? 10_000
    if (!Number.isInteger(size) || size < 1) throw new ConfigError('dpop replayCacheSize must be a positive integer.')
    this.#replays = new ReplayGuard(size)
    this.#now = now
    this.#nonces = options.nonce ? new DpopNonces(options.nonce, now) : null
  }

  /** The algorithms accepted here, for `WWW-Authenticate: DPoP algs="…"`. */
  algorithms(): Promise<readonly DpopAlgorithm[]> {
    return this.#algorithms
  }

  /** The nonce to send in `DPoP-Nonce`, or `null` when nonces are off. */
  nonce(): Promise<string | null> {
    return this.#nonces ? this.#nonces.current() : Promise.resolve(null)
  }

  #keyOf(alg: DpopAlgorithm, jwk: Jwk): Promise<{ key: WebCryptoKey | null; jkt: string }> {
    const id = `${alg} ${JSON.stringify(jwk)}`
    let entry = this.#keys.get(id)
    if (!entry) {
      entry = Promise.all([importDpopPublicKey(alg, jwk), jwkThumbprint(jwk)]).then(([key, jkt]) => ({ key, jkt }))
      this.#keys.set(id, entry)
    }
    return entry
  }

  /** Checks `proof` (the `DPoP` header's value) against `request`; the accepted proof, or an `ERR_DPOP_*` error. */
  async verify(proof: string | null | undefined, request: DpopRequest): Promise<VerifiedDpopProof> {
    if (proof === undefined || proof === null || proof === '') throw new DpopProofMissingError()
    const parsed = parseDpopProof(proof, await this.#algorithms)
    if (typeof parsed === 'string') throw new DpopProofInvalidError(parsed)
    const { key, jkt } = await this.#keyOf(parsed.alg, parsed.jwk)
    if (!(await verifyDpopSignature(parsed, key))) throw new DpopProofInvalidError('signature')
    const { htm, htu, iat, jti, ath, nonce } = parsed.claims
    if (typeof jti !== 'string' || jti === '' || jti.length > maxJtiLength) throw new DpopProofInvalidError('jti')
    if (htm !== request.method) throw new DpopProofInvalidError('htm')
    const expected = normalizeHtu(request.url)
    if (expected === null || normalizeHtu(htu) !== expected) throw new DpopProofInvalidError('htu')
    if (this.#nonces && !(await this.#nonces.check(nonce))) throw new DpopNonceRequiredError(await this.#nonces.current())
    const now = this.#now()
    if (typeof iat !== 'number' || !Number.isFinite(iat) || iat * 1000 < now - this.#maxAge || iat * 1000 > now + this.#skew) {
      throw new DpopProofInvalidError('iat')
    }
    if (request.accessToken !== undefined) {
      if (typeof ath !== 'string' || !timingSafeEqual(utf8Encode(ath), utf8Encode(await accessTokenHash(request.accessToken)))) {
        throw new DpopProofInvalidError('ath')
      }
    }
    // Last, and with no await after it: two copies of one proof racing each other cannot both get through.
    if (!this.#replays.accept(`${jkt} ${jti}`, iat * 1000 + this.#maxAge, this.#now())) throw new DpopProofReplayedError()
    const verified: VerifiedDpopProof = Object.freeze({ jkt, alg: parsed.alg, jti })
    accepted.add(verified)
    return verified
  }
}
