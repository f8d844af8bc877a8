// The DPoP micro case must keep timing accepted requests: a pre-signed proof per request gets 200, the
// same proof again is refused (which is why the pool exists), a bound token as Bearer is refused, and the
// pool refills untimed and fails loudly rather than sign inside a slice. Nothing is timed here.
import { expect, it } from 'vitest'
import { dpopCase, dpopFixture, dpopRawVerify } from '../../bench/micro/dpop.ts'
import { hs512Fixture } from '../../bench/micro/fixtures.ts'

it('the DPoP case accepts a bearer request and a DPoP request with a fresh proof, each with 200', async () => {
  const c = await dpopCase(await hs512Fixture())
  expect(c.id).toBe('dpop-middleware')
  expect(c.variants.map((v) => v.name)).toEqual(['raw', 'bearer', 'DPoP', dpopRawVerify])
  for (const v of c.variants) {
    await v.prepare?.()
    // Twice: each DPoP request takes a new proof, so the second is not a replay.
    for (let i = 0; i < 2; i++) expect(v.check(await v.run()), `${v.name} #${i + 1}`).toBe(true)
  }
})

it('each request uses up a proof: a replayed one and a bound token sent as Bearer are refused', async () => {
  const hs = await hs512Fixture()
  const f = await dpopFixture(hs)
  const proof = f.pool.take()
  const first = await f.dpop(proof)
  expect(first.status).toBe(200)
  const again = await f.dpop(proof)
  expect(again.status).toBe(401)
  expect(await again.json()).toMatchObject({ code: 'ERR_DPOP_PROOF_REPLAYED' })
  expect((await f.bearer()).status).toBe(200)
  const boundAsBearer = await f.app.fetch(new Request('http://bench.local/dpop', { headers: { authorization: `Bearer ${f.boundToken}` } }))
  expect(boundAsBearer.status).toBe(401)
})

it('the pool refills before a slice and throws when empty instead of signing in the timed loop', async () => {
  const f = await dpopFixture(await hs512Fixture())
  while (f.pool.size > 0) f.pool.take()
  expect(() => f.pool.take()).toThrow(/ran dry/)
  await f.pool.refill()
  expect(f.pool.size).toBe(4096)
  expect((await f.dpop(f.pool.take())).status).toBe(200)
}, 60_000)
