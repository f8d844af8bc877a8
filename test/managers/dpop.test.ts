// DpopVerifier: every check of RFC 9449 §4.3 with real Web Crypto keys, each rule shown failing with its
// ERR_DPOP_* code; replays refused per isolate (also when raced), server nonces, and the iat window on an
// injected clock.
import { SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { DpopVerifier, type DpopOptions } from '../../src/index.ts'
import { accessTokenHash, signDpopProof, type DpopAlgorithm, type DpopKey } from '../../src/crypto/index.ts'
import { dpopKeyParams } from '../../src/crypto/dpop-keys.ts'

const url = 'https://api.example.com/api/orders'
const t0 = Date.parse('2026-06-01T12:00:00Z')

async function dpopKey(alg: DpopAlgorithm = 'ES256'): Promise<DpopKey> {
  const pair = (await crypto.subtle.generateKey(dpopKeyParams(alg) as EcKeyGenParams, false, ['sign', 'verify'])) as CryptoKeyPair
  return { alg, privateKey: pair.privateKey, publicJwk: await crypto.subtle.exportKey('jwk', pair.publicKey) }
}

function verifier(options: DpopOptions = {}) {
  const clock = { now: t0 }
  return { dpop: new DpopVerifier(options, () => clock.now), clock }
}

const iat = (ms = t0) => Math.floor(ms / 1000)
const codeOf = (promise: Promise<unknown>) => promise.then(() => 'accepted', (e: { code?: string; reason?: string }) => `${e.code}${e.reason ? ` ${e.reason}` : ''}`)

describe('DpopVerifier', () => {
  it('accepts a fresh proof and reports the RFC 7638 thumbprint of its key', async () => {
    const { dpop } = verifier()
    const key = await dpopKey()
    const { jwkThumbprint } = await import('../../src/crypto/index.ts')
    const proof = await signDpopProof(key, { method: 'GET', url, iat: iat() })
    expect(await dpop.verify(proof, { method: 'GET', url })).toMatchObject({ jkt: await jwkThumbprint(key.publicJwk), alg: 'ES256' })
  })

  it('refuses what does not fit the request: htm, htu, iat window, jti, ath', async () => {
    const { dpop } = verifier({ proofMaxAge: '60s', proofClockSkew: '5s' })
    const key = await dpopKey()
    const sign = (claims: Record<string, unknown>) =>
      new SignJWT(claims).setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk as never }).sign(key.privateKey)
    const base = { htm: 'GET', htu: url, iat: iat(), jti: crypto.randomUUID() }
    const token = 'eyJ.access.token'
    const ath = await accessTokenHash(token)
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, htm: 'POST' }, 'ERR_DPOP_PROOF_INVALID htm'],
      [{ ...base, htm: 'get' }, 'ERR_DPOP_PROOF_INVALID htm'],
      [{ ...base, htu: 'https://api.example.com/api/other' }, 'ERR_DPOP_PROOF_INVALID htu'],
      [{ ...base, htu: 'https://evil.example/api/orders' }, 'ERR_DPOP_PROOF_INVALID htu'],
      [{ ...base, htu: undefined }, 'ERR_DPOP_PROOF_INVALID htu'],
      [{ ...base, iat: iat(t0 - 61_000) }, 'ERR_DPOP_PROOF_INVALID iat'],
      [{ ...base, iat: iat(t0 + 7_000) }, 'ERR_DPOP_PROOF_INVALID iat'],
      [{ ...base, iat: String(iat()) }, 'ERR_DPOP_PROOF_INVALID iat'],
      [{ ...base, jti: undefined }, 'ERR_DPOP_PROOF_INVALID jti'],
      [{ ...base, jti: 'x'.repeat(300) }, 'ERR_DPOP_PROOF_INVALID jti'],
      [{ ...base }, 'ERR_DPOP_PROOF_INVALID ath'],
      [{ ...base, ath: await accessTokenHash('another token') }, 'ERR_DPOP_PROOF_INVALID ath'],
      [{ ...base, ath }, 'accepted'],
    ]
    for (const [claims, expected] of cases) {
      const proof = await sign({ ...claims, jti: claims.jti === base.jti ? crypto.randomUUID() : claims.jti })
      expect(await codeOf(dpop.verify(proof, { method: 'GET', url, accessToken: token })), JSON.stringify(claims).slice(0, 90)).toBe(expected)
    }
    // A query or fragment on either side does not matter; the path does.
    const proof = await sign({ ...base, jti: crypto.randomUUID(), htu: `${url}?page=2` })
    expect(await codeOf(dpop.verify(proof, { method: 'GET', url: `HTTPS://API.example.com:443${new URL(url).pathname}?x#y` }))).toBe('accepted')
  })

  it('refuses missing, malformed, unsigned and wrongly signed proofs', async () => {
    const { dpop } = verifier({ algorithms: ['ES256'] })
    const [key, other] = await Promise.all([dpopKey(), dpopKey()])
    const good = await signDpopProof(key, { method: 'GET', url, iat: iat() })
    const [h, p] = good.split('.')
    const swapped = await signDpopProof({ ...other, publicJwk: key.publicJwk }, { method: 'GET', url, iat: iat() })
    const es384 = await signDpopProof(await dpopKey('ES384'), { method: 'GET', url, iat: iat() })
    const expectations: [string | undefined, string][] = [
      [undefined, 'ERR_DPOP_PROOF_MISSING'],
      ['', 'ERR_DPOP_PROOF_MISSING'],
      ['garbage', 'ERR_DPOP_PROOF_INVALID malformed'],
      [`${h}.${p}.`, 'ERR_DPOP_PROOF_INVALID signature'],
      [swapped, 'ERR_DPOP_PROOF_INVALID signature'],
      [es384, 'ERR_DPOP_PROOF_INVALID alg'],
    ]
    for (const [proof, expected] of expectations) expect(await codeOf(dpop.verify(proof, { method: 'GET', url }))).toBe(expected)
  })

  it('refuses a replayed proof, also when the copies race, and only within the iat window', async () => {
    const { dpop, clock } = verifier()
    const key = await dpopKey()
    const proof = await signDpopProof(key, { method: 'GET', url, iat: iat() })
    const results = await Promise.all(Array.from({ length: 20 }, () => codeOf(dpop.verify(proof, { method: 'GET', url }))))
    expect(results.filter((r) => r === 'accepted')).toHaveLength(1)
    expect(results.filter((r) => r === 'ERR_DPOP_PROOF_REPLAYED')).toHaveLength(19)
    // Once the proof is too old its jti may be forgotten: the iat check refuses it anyway.
    clock.now += 61_000
    expect(await codeOf(dpop.verify(proof, { method: 'GET', url }))).toBe('ERR_DPOP_PROOF_INVALID iat')
  })

  it('with nonces, asks for one (ERR_DPOP_NONCE_REQUIRED carries it) and accepts it for up to two windows', async () => {
    const secret = 'n'.repeat(32)
    const { dpop, clock } = verifier({ nonce: { secret, lifetime: '5m' } })
    const key = await dpopKey()
    const attempt = (nonce?: string) => signDpopProof(key, { method: 'POST', url, iat: iat(clock.now), ...(nonce && { nonce }) })
      .then((proof) => dpop.verify(proof, { method: 'POST', url }))
    const refused = await attempt().catch((e: { code: string; nonce: string }) => e)
    expect(refused).toMatchObject({ code: 'ERR_DPOP_NONCE_REQUIRED' })
    const nonce = (refused as { nonce: string }).nonce
    expect(nonce).toBe(await dpop.nonce())
    await expect(attempt(nonce)).resolves.toMatchObject({ alg: 'ES256' })
    await expect(attempt('forged-nonce')).rejects.toMatchObject({ code: 'ERR_DPOP_NONCE_REQUIRED' })
    // Another isolate with the same secret accepts it; one with another secret does not.
    const sibling = new DpopVerifier({ nonce: { secret } }, () => clock.now)
    await expect(signDpopProof(key, { method: 'POST', url, iat: iat(clock.now), nonce }).then((p) => sibling.verify(p, { method: 'POST', url }))).resolves.toBeTruthy()
    const stranger = new DpopVerifier({ nonce: { secret: 's'.repeat(32) } }, () => clock.now)
    await expect(signDpopProof(key, { method: 'POST', url, iat: iat(clock.now), nonce }).then((p) => stranger.verify(p, { method: 'POST', url }))).rejects.toMatchObject({ code: 'ERR_DPOP_NONCE_REQUIRED' })
    clock.now += 5 * 60_000
    await expect(attempt(nonce)).resolves.toBeTruthy()
    clock.now += 5 * 60_000
    await expect(attempt(nonce)).rejects.toMatchObject({ code: 'ERR_DPOP_NONCE_REQUIRED' })
  })

  it('refuses configurations it cannot honour', () => {
    expect(() => new DpopVerifier({ algorithms: ['HS256' as never] })).toThrow(/algorithms/)
    expect(() => new DpopVerifier({ algorithms: [] })).toThrow(/algorithms/)
    expect(() => new DpopVerifier({ replayCacheSize: 0 })).toThrow(/replayCacheSize/)
    expect(() => new DpopVerifier({ nonce: { secret: 'short' } })).toThrow(/32 bytes/)
  })
})
