// The DPoP case: a request through `authenticate` (app.fetch, in-process; in workerd inside the isolate)
// with a DPoP-bound HS512 access token and a fresh ES256 proof (`Authorization: DPoP` + `DPoP` header),
// beside the same middleware and services taking an unbound HS512 token as Bearer. A proof is accepted
// once (its `jti` is remembered), so every request needs a new one: they are signed ahead, before each
// slice and never inside it (`Variant.prepare`), so the case times the server's checks, not the client's
// signing. What DPoP adds per request: parsing the proof, one ES256 verify, the `ath` SHA-256 and the
// replay memory (the proof key's import and thumbprint are cached per key, as one client sends one key).
// A raw ES256 verify of one proof's bytes runs in the same rounds, for comparison.
import { Hono } from 'hono'
import { JwtAlgorithm } from '../../src/index.ts'
import { authenticate } from '../../src/hono/index.ts'
import { decodeBase64Url } from '../../src/crypto/base64url.ts'
import { jwkThumbprint } from '../../src/crypto/keys.ts'
import { signJws } from '../../src/crypto/jws.ts'
import { signDpopProof, type DpopKey } from '../../src/crypto/dpop-sign.ts'
import { jwtServices, libraryClaims, type AlgorithmFixture } from './fixtures.ts'
import type { Case } from './cases.ts'

const answer = { ok: true }
const url = 'http://bench.local/dpop'
const es256 = { name: 'ECDSA', hash: 'SHA-256' }
/** The variant name of the raw ES256 verify in the DPoP case. */
export const dpopRawVerify = 'raw ES256 verify (crypto.subtle)'

/**
 * Proofs for `GET url` with one token, signed ahead and used one per request. `refill` (untimed) drops
 * proofs older than `freshMs` and tops the pool up to four times the most a slice has used so far (at
 * least `minimum`), so a slice never runs dry; `take` throws if it does, rather than sign in a timed loop.
 *
 * @example
 * ```ts
 * const pool = new ProofPool(key, boundToken)
 * await pool.refill() // untimed
 * await app.fetch(new Request(url, { headers: { authorization: `DPoP ${boundToken}`, dpop: pool.take() } }))
 * ```
 */
export class ProofPool {
  #proofs: string[] = []
  #signedAt = 0
  #used = 0
  #mostUsed = 0

  readonly #key: DpopKey
  readonly #accessToken: string
  readonly #minimum: number
  readonly #freshMs: number

  constructor(key: DpopKey, accessToken: string, minimum = 4096, freshMs = 20_000) {
    this.#key = key
    this.#accessToken = accessToken
    this.#minimum = minimum
    this.#freshMs = freshMs
  }

  /** Proofs left. */
  get size(): number {
    return this.#proofs.length
  }

  async refill(atLeast = 0): Promise<void> {
    this.#mostUsed = Math.max(this.#mostUsed, this.#used)
    this.#used = 0
    // Proofs live 60 s (`proofMaxAge`): a pool signed long ago (before the cases in front of this one) goes.
    if (Date.now() - this.#signedAt > this.#freshMs) [this.#proofs, this.#signedAt] = [[], Date.now()]
    const target = Math.max(atLeast || this.#minimum, 4 * this.#mostUsed)
    while (this.#proofs.length < target) {
      this.#proofs.push(await signDpopProof(this.#key, { method: 'GET', url, accessToken: this.#accessToken }))
    }
  }

  take(): string {
    const proof = this.#proofs.pop()
    if (proof === undefined) throw new Error('benchmark: the DPoP proof pool ran dry inside a slice (refill before timing)')
    this.#used++
    return proof
  }
}

/**
 * A P-256 key pair as a DPoP client holds it (private half non-extractable), and its public key imported
 * from the JWK as a server gets it from a proof: the raw row's key form (on Deno a generated key verifies
 * about twice as slowly as the same key imported).
 */
async function clientKey(): Promise<{ key: DpopKey; publicKey: CryptoKey }> {
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])
  const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey)
  const publicJwk = { kty, crv, x, y }
  const publicKey = await crypto.subtle.importKey('jwk', publicJwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify'])
  return { key: { alg: 'ES256', privateKey: pair.privateKey, publicJwk }, publicKey }
}

/**
 * The app, the two tokens and the proof pool; exported so a test can replay a proof and see it refused.
 *
 * @example
 * ```ts
 * const f = await dpopFixture(await hs512Fixture())
 * ;(await f.dpop(f.pool.take())).status // 200
 * ```
 */
export async function dpopFixture(hs: AlgorithmFixture) {
  const { key, publicKey } = await clientKey()
  const jkt = await jwkThumbprint(key.publicJwk)
  const boundToken = await signJws(libraryClaims(jkt), hs.signingKey)
  const auth = jwtServices(JwtAlgorithm.hmacSha512(hs.verifyKey), 0, { dpop: 'optional' })
  const app = new Hono()
  app.get('/noop', (c) => c.json(answer))
  // One route for both schemes, as an API serves bearer and DPoP clients alike.
  app.get('/dpop', authenticate({ auth }), (c) => c.json(answer))
  const pool = new ProofPool(key, boundToken)
  await pool.refill(16)
  // The raw floor of the proof check: crypto.subtle.verify on one proof's prepared bytes.
  const sample = pool.take()
  const dot = sample.lastIndexOf('.')
  const raw = { signingInput: new TextEncoder().encode(sample.slice(0, dot)), signature: decodeBase64Url(sample.slice(dot + 1))! }
  const request = async (headers: Record<string, string>, path = '/dpop') => app.fetch(new Request(`http://bench.local${path}`, { headers }))
  return {
    app, pool, jkt, boundToken, publicKey, raw,
    bearer: () => request({ authorization: `Bearer ${hs.token}` }),
    dpop: (proof: string) => request({ authorization: `DPoP ${boundToken}`, dpop: proof }),
    noop: () => request({}, '/noop'),
  }
}

/**
 * `authenticate` with a DPoP-bound token and a fresh ES256 proof per request vs the same with a bearer JWT.
 *
 * @example
 * ```ts
 * const c = await dpopCase(await hs512Fixture()) // variants: raw, bearer, DPoP, raw ES256 verify
 * ```
 */
export async function dpopCase(hs: AlgorithmFixture): Promise<Case> {
  const f = await dpopFixture(hs)
  const ok = (r: unknown) => (r as Response).status === 200
  return {
    id: 'dpop-middleware',
    title: 'HS512 request through authenticate: DPoP (fresh ES256 proof) vs bearer',
    variants: [
      { name: 'raw', run: f.noop, check: ok },
      { name: 'bearer', run: f.bearer, check: ok },
      { name: 'DPoP', run: () => f.dpop(f.pool.take()), check: ok, prepare: () => f.pool.refill() },
      { name: dpopRawVerify, run: () => crypto.subtle.verify(es256, f.publicKey, f.raw.signature, f.raw.signingInput), check: (r) => r === true },
    ],
  }
}
