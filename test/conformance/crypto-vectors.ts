// Known-answer tests of the runtime's primitives that the library builds on, from Project Wycheproof
// (test/vectors, Apache-2.0). A runtime that computes HMAC-SHA512 or verifies P-521 wrongly fails here,
// before any token test can mislead.
import hmacVectors from '../vectors/wycheproof_hmac_sha512_test.json' with { type: 'json' }
import ecdsaVectors from '../vectors/wycheproof_ecdsa_secp521r1_sha512_p1363_test.json' with { type: 'json' }
import { assert, equal, fail, suite } from './harness.ts'
import type { ConformanceContext } from './support.ts'
import { es512Unavailable } from './unsupported.ts'

const hex = (text: string) => Uint8Array.from(text.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16))

interface HmacTest { tcId: number; key: string; msg: string; tag: string; result: string }
interface EcdsaTest { tcId: number; msg: string; sig: string; result: string }

export const cryptoVectorTests = suite<ConformanceContext>('crypto vectors', (test) => {
  test(`HMAC-SHA512 agrees with all Wycheproof vectors`, async () => {
    let checked = 0
    for (const group of hmacVectors.testGroups as { tagSize: number; tests: HmacTest[] }[]) {
      for (const t of group.tests) {
        const key = await crypto.subtle.importKey('raw', hex(t.key), { name: 'HMAC', hash: 'SHA-512' }, false, ['sign'])
        const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, hex(t.msg)))
        const truncated = mac.subarray(0, group.tagSize / 8)
        const expected = hex(t.tag)
        const same = truncated.length === expected.length && truncated.every((b, i) => b === expected[i])
        if (same !== (t.result === 'valid')) fail(`tcId ${t.tcId}: expected ${t.result}`)
        checked++
      }
    }
    equal(checked, hmacVectors.numberOfTests, 'vectors checked')
  })

  test(`ECDSA P-521/SHA-512 verify agrees with all Wycheproof P1363 vectors`, async (ctx) => {
    if (!ctx.features.ES512) return es512Unavailable(ctx)
    let checked = 0
    // SPKI, not JWK: some groups (keys with short coordinates) carry no publicKeyJwk.
    for (const group of ecdsaVectors.testGroups as { publicKeyDer: string; tests: EcdsaTest[] }[]) {
      const key = await crypto.subtle.importKey('spki', hex(group.publicKeyDer), { name: 'ECDSA', namedCurve: 'P-521' }, false, ['verify'])
      for (const t of group.tests) {
        let verified: boolean
        try {
          verified = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-512' }, key, hex(t.sig), hex(t.msg))
        } catch {
          verified = false // some runtimes throw on a signature of the wrong length instead of answering false
        }
        if (t.result === 'valid' && !verified) fail(`tcId ${t.tcId}: a valid signature did not verify`)
        if (t.result === 'invalid' && verified) fail(`tcId ${t.tcId}: an invalid signature verified`)
        checked++
      }
    }
    equal(checked, ecdsaVectors.numberOfTests, 'vectors checked')
  })

  test('crypto.getRandomValues and randomUUID produce distinct values', () => {
    const a = crypto.getRandomValues(new Uint8Array(32))
    const b = crypto.getRandomValues(new Uint8Array(32))
    assert(a.some((byte, i) => byte !== b[i]), 'two 32-byte draws are equal')
    const ids = new Set(Array.from({ length: 100 }, () => crypto.randomUUID()))
    equal(ids.size, 100, 'distinct UUIDs')
  })
})
