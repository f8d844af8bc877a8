// What DPoP's replay detection guarantees, measured (SECURITY.md quotes these figures): on one isolate no
// copy of an accepted proof is accepted again while its iat window lasts, even when copies race; past
// `replayCacheSize` proofs inside one window the oldest are forgotten, exactly that many; and a copy sent
// to another isolate is not seen at all — the documented limit, which nonces and binding narrow.
import { afterAll, describe, expect, it } from 'vitest'
import { DpopVerifier } from '../../src/index.ts'
import { signDpopProof } from '../../src/crypto/index.ts'
import { dpopKey } from '../support/dpop.ts'
import { createFigures } from '../support/figures.ts'

const figures = createFigures('dpop-replay')
figures.watchUnhandled()
figures.add('replaysAccepted', 0)
afterAll(() => figures.write())

const url = 'https://api.example/api/orders'
const t0 = Date.parse('2026-06-01T12:00:00Z')
const accepted = (p: Promise<unknown>) => p.then(() => true, () => false)

describe('DPoP replay detection', () => {
  it('one isolate: 1 000 proofs, each sent 3 times within the window (twice at once, once later): 0 replays accepted', async () => {
    const now = { ms: t0 }
    const verifier = new DpopVerifier({ replayCacheSize: 10_000 }, () => now.ms)
    const key = await dpopKey()
    let replays = 0
    for (let i = 0; i < 1_000; i++) {
      const proof = await signDpopProof(key, { method: 'GET', url, iat: Math.floor(now.ms / 1000) })
      const [first, racing] = await Promise.all([accepted(verifier.verify(proof, { method: 'GET', url })), accepted(verifier.verify(proof, { method: 'GET', url }))])
      if (first && racing) replays++
      expect(first || racing).toBe(true) // the proof itself is fine: one copy gets through
      now.ms += 50 // 1 000 proofs over 50 s: all inside the 60 s window
      if (await accepted(verifier.verify(proof, { method: 'GET', url }))) replays++
      figures.add('inputsTried', 3)
    }
    figures.add('replaysAccepted', replays)
    figures.add('racesRun', 1_000)
    expect(replays).toBe(0)
  })

  it('past replayCacheSize proofs inside one window, exactly the oldest overflow are forgotten', async () => {
    const now = { ms: t0 }
    const size = 100
    const verifier = new DpopVerifier({ replayCacheSize: size }, () => now.ms)
    const key = await dpopKey()
    const proofs: string[] = []
    for (let i = 0; i < size + 10; i++) {
      const proof = await signDpopProof(key, { method: 'GET', url, iat: Math.floor(now.ms / 1000) })
      expect(await accepted(verifier.verify(proof, { method: 'GET', url }))).toBe(true)
      proofs.push(proof)
    }
    // Newest first: a refused replay changes nothing, an accepted one is remembered (and evicts another).
    const replayed: boolean[] = []
    for (const proof of [...proofs].reverse()) replayed.unshift(await accepted(verifier.verify(proof, { method: 'GET', url })))
    expect(replayed.slice(10).some(Boolean)).toBe(false)
    expect(replayed.slice(0, 10).every(Boolean)).toBe(true)
  })

  it('another isolate does not see a proof the first one accepted (the documented limit)', async () => {
    const now = () => t0
    const [a, b] = [new DpopVerifier({}, now), new DpopVerifier({}, now)]
    const proof = await signDpopProof(await dpopKey(), { method: 'GET', url, iat: Math.floor(t0 / 1000) })
    expect(await accepted(a.verify(proof, { method: 'GET', url }))).toBe(true)
    expect(await accepted(b.verify(proof, { method: 'GET', url }))).toBe(true)
    expect(await accepted(a.verify(proof, { method: 'GET', url }))).toBe(false)
  })
})
