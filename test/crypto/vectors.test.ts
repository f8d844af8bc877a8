// Published vectors through the library's own key import and JWS code: RFC 4231 (HMAC-SHA-512) and
// RFC 7520 §4.3 (ES512 over the cookbook's P-521 key). Wycheproof runs in the conformance suite on
// every runtime (test/conformance/crypto-vectors.ts).
import { describe, expect, it } from 'vitest'
import { decodeBase64Url, importEs512PrivateKey, importEs512PublicKey, importHmacSha512Key, signJws, utf8Decode, verifyJws } from '../../src/crypto/index.ts'

const hex = (text: string) => Uint8Array.from(text.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16))
const ascii = (text: string) => new TextEncoder().encode(text)
const repeat = (byte: number, count: number) => new Uint8Array(count).fill(byte)

// RFC 4231 §4.2–4.8, HMAC-SHA-512 outputs (case 5 is truncated to 128 bits).
const rfc4231 = [
  { case: 1, key: repeat(0x0b, 20), data: ascii('Hi There'), mac: '87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854' },
  { case: 2, key: ascii('Jefe'), data: ascii('what do ya want for nothing?'), mac: '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737' },
  { case: 3, key: repeat(0xaa, 20), data: repeat(0xdd, 50), mac: 'fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb' },
  { case: 4, key: Uint8Array.from({ length: 25 }, (_, i) => i + 1), data: repeat(0xcd, 50), mac: 'b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd' },
  { case: 5, key: repeat(0x0c, 20), data: ascii('Test With Truncation'), mac: '415fad6271580a531d4179bc891d87a6' },
  { case: 6, key: repeat(0xaa, 131), data: ascii('Test Using Larger Than Block-Size Key - Hash Key First'), mac: '80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598' },
  {
    case: 7,
    key: repeat(0xaa, 131),
    data: ascii('This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.'),
    mac: 'e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58',
  },
]

describe('RFC 4231 HMAC-SHA-512', () => {
  it.each(rfc4231)('test case $case', async ({ key, data, mac }) => {
    const imported = await importHmacSha512Key(key)
    const tag = new Uint8Array(await crypto.subtle.sign('HMAC', imported, data))
    expect(tag.subarray(0, mac.length / 2)).toEqual(hex(mac))
  })
})

// RFC 7520 §3.2 (the P-521 key) and §4.3 (its ECDSA signature over the cookbook payload).
const rfc7520Key = {
  kty: 'EC',
  crv: 'P-521',
  x: 'AHKZLLOsCOzz5cY97ewNUajB957y-C-U88c3v13nmGZx6sYl_oJXu9A5RkTKqjqvjyekWF-7ytDyRXYgCF5cj0Kt',
  y: 'AdymlHvOiLxXkEhayXQnNCvDX4h9htZaCJN34kfmC6pV5OhQHiraVySsUdaQkAgDPrwQrJmbnX9cwlGfP-HqHZR1',
  d: 'AAhRON2r9cqXX1hg-RoI6R1tX5p2rUAYdmpHZoC1XNM56KtscrX6zbKipQrCW9CGZH3T4ubpnoTKLDYJ_fF3_rJt',
}
const rfc7520Jws = [
  'eyJhbGciOiJFUzUxMiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9',
  'SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4',
  'AE_R_YZCChjn4791jSQCrdPZCNYqHXCTZH0-JZGYNlaAjP2kqaluUIIUnC9qvbu9Plon7KRTzoNEuT4Va2cmL1eJAQy3mtPBu_u_sDDyYjnAMDxXPn7XrT0lw-kvAD890jl8e2puQens_IEKBpHABlsbEPX6sFY8OcGDqoRuBomu9xQ2',
].join('.')

describe('RFC 7520 §4.3 ES512', () => {
  it('verifies the cookbook signature with the cookbook public key', async () => {
    const key = await importEs512PublicKey(rfc7520Key) // a private JWK: only x and y are used
    const verified = await verifyJws(rfc7520Jws, [{ alg: 'ES512', key }])
    expect(verified?.header).toEqual({ alg: 'ES512', kid: 'bilbo.baggins@hobbiton.example' })
    expect(utf8Decode(verified!.payload)).toMatch(/^It’s a dangerous business, Frodo, going out your door\./)
  })

  it('rejects the cookbook JWS once any part is altered', async () => {
    const key = await importEs512PublicKey(rfc7520Key)
    const [header, payload, signature] = rfc7520Jws.split('.') as [string, string, string]
    const flipped = (part: string) => part.slice(0, 10) + (part[10] === 'A' ? 'B' : 'A') + part.slice(11)
    for (const forged of [`${header}.${flipped(payload)}.${signature}`, `${header}.${payload}.${flipped(signature)}`]) {
      expect(await verifyJws(forged, [{ alg: 'ES512', key }])).toBeNull()
    }
    // The same bytes presented as HS512 never reach the ECDSA key.
    const hsHeader = 'eyJhbGciOiJIUzUxMiJ9'
    expect(await verifyJws(`${hsHeader}.${payload}.${signature}`, [{ alg: 'ES512', key }])).toBeNull()
  })

  it('signs with the cookbook private key in the 132-byte IEEE P1363 form', async () => {
    const privateKey = await importEs512PrivateKey(rfc7520Key)
    const publicKey = await importEs512PublicKey(rfc7520Key)
    const token = await signJws({ sub: 'frodo' }, { alg: 'ES512', key: privateKey, kid: 'bilbo' })
    expect(decodeBase64Url(token.split('.')[2])).toHaveLength(132)
    expect((await verifyJws(token, [{ alg: 'ES512', key: publicKey, kid: 'bilbo' }]))?.header).toEqual({ alg: 'ES512', typ: 'JWT', kid: 'bilbo' })
  })
})
