// The Web Crypto half of DPoP: RFC 7638 thumbprints (the RFC's own example), `htu` normalisation, and
// the proof header rules, with proofs signed by this library and by jose (an independent signer).
import { calculateJwkThumbprint, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import {
  dpopPublicJwk, importDpopPublicKey, jwkThumbprint, normalizeHtu, parseDpopProof, signDpopProof,
  supportedDpopAlgorithms, verifyDpopSignature, type DpopAlgorithm,
} from '../../src/crypto/index.ts'
import { dpopKeyParams } from '../../src/crypto/dpop-keys.ts'

async function dpopKey(alg: DpopAlgorithm) {
  const pair = (await crypto.subtle.generateKey(dpopKeyParams(alg) as EcKeyGenParams, false, ['sign', 'verify'])) as CryptoKeyPair
  const publicJwk = await crypto.subtle.exportKey('jwk', pair.publicKey)
  return { alg, privateKey: pair.privateKey, publicJwk }
}

describe('jwkThumbprint (RFC 7638)', () => {
  it('reproduces the example of RFC 7638 §3.1', async () => {
    const jwk = {
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    }
    expect(await jwkThumbprint(jwk)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs')
  })

  it('agrees with jose for every DPoP key type, and ignores private members', async () => {
    for (const alg of await supportedDpopAlgorithms()) {
      const pair = (await crypto.subtle.generateKey(dpopKeyParams(alg) as EcKeyGenParams, true, ['sign', 'verify'])) as CryptoKeyPair
      const privateJwk = await crypto.subtle.exportKey('jwk', pair.privateKey)
      const publicJwk = await crypto.subtle.exportKey('jwk', pair.publicKey)
      expect(await jwkThumbprint(privateJwk), alg).toBe(await calculateJwkThumbprint(publicJwk as never))
    }
  })
})

describe('normalizeHtu', () => {
  it('lower-cases scheme and host, drops default ports, query and fragment, resolves dot segments', () => {
    const cases: [string, string | null][] = [
      ['HTTPS://Api.Example.COM:443/a/../Token?x=1#frag', 'https://api.example.com/Token'],
      ['http://example.com:80/', 'http://example.com/'],
      ['http://example.com:8080/p', 'http://example.com:8080/p'],
      ['https://example.com', 'https://example.com/'],
      ['https://user:pw@example.com/x', 'https://example.com/x'],
      ['ftp://example.com/x', null],
      ['not a url', null],
      ['/relative', null],
    ]
    for (const [input, expected] of cases) expect(normalizeHtu(input), input).toBe(expected)
    expect(normalizeHtu(42)).toBe(null)
  })
})

describe('DPoP proof header and signature', () => {
  const url = 'https://api.example.com/auth/refresh'

  it('accepts proofs signed by this library and by jose, for every algorithm the runtime has', async () => {
    const supported = await supportedDpopAlgorithms()
    expect(supported).toEqual(expect.arrayContaining(['ES256', 'ES384', 'ES512']))
    for (const alg of supported) {
      const key = await dpopKey(alg)
      const ours = await signDpopProof(key, { method: 'POST', url: `${url}?q=1` })
      const theirs = await new SignJWT({ htm: 'POST', htu: url, jti: crypto.randomUUID() })
        .setProtectedHeader({ typ: 'dpop+jwt', alg, jwk: key.publicJwk as never }).setIssuedAt().sign(key.privateKey)
      for (const proof of [ours, theirs]) {
        const parsed = parseDpopProof(proof, supported)
        if (typeof parsed === 'string') throw new Error(`${alg}: ${parsed}`)
        expect(parsed.claims.htu).toBe(url)
        expect(await verifyDpopSignature(parsed, await importDpopPublicKey(alg, parsed.jwk)), alg).toBe(true)
      }
    }
  })

  it('refuses a wrong typ, alg none / HS256 / an algorithm not allowed, a private or mismatched jwk', async () => {
    const key = await dpopKey('ES256')
    const claims = { htm: 'POST', htu: url, jti: 'j', iat: 1 }
    const forge = (header: Record<string, unknown>, signature = 'A'.repeat(86)) =>
      `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`
    const jwk = key.publicJwk
    const cases: [string, string][] = [
      [forge({ typ: 'JWT', alg: 'ES256', jwk }), 'typ'],
      [forge({ typ: 'DPOP+JWT', alg: 'ES256', jwk }), 'typ'],
      [forge({ alg: 'ES256', jwk }), 'typ'],
      [forge({ typ: 'dpop+jwt', alg: 'none', jwk }, ''), 'alg'],
      [forge({ typ: 'dpop+jwt', alg: 'HS256', jwk: { kty: 'oct', k: 'AAAA' } }), 'alg'],
      [forge({ typ: 'dpop+jwt', alg: 'ES384', jwk }), 'alg'],
      [forge({ typ: 'dpop+jwt', alg: 'ES256', jwk: { ...jwk, d: 'AAAA' } }), 'jwk'],
      [forge({ typ: 'dpop+jwt', alg: 'ES256', jwk: { ...jwk, crv: 'P-384' } }), 'jwk'],
      [forge({ typ: 'dpop+jwt', alg: 'ES256' }), 'jwk'],
      [forge({ typ: 'dpop+jwt', alg: 'ES256', jwk, crit: ['x'] }), 'malformed'],
      [forge({ typ: 'dpop+jwt', alg: 'ES256', jwk, jku: 'https://evil.example/keys' }), 'malformed'],
      [forge({ typ: 'dpop+jwt', alg: 'ES256', jwk }, 'AAAA'), 'signature'],
      ['a.b', 'malformed'],
      [`${'a'.repeat(5000)}.b.c`, 'malformed'],
    ]
    for (const [proof, fault] of cases) expect(parseDpopProof(proof, ['ES256']), proof.slice(0, 60)).toBe(fault)
    expect(dpopPublicJwk('ES256', { ...jwk, d: 'x' })).toBe(null)
    expect(dpopPublicJwk('ES256', jwk)).toEqual({ kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y })
  })

  it('does not verify a proof whose header names another key than the one that signed it', async () => {
    const [signer, other] = await Promise.all([dpopKey('ES256'), dpopKey('ES256')])
    const proof = await signDpopProof({ ...signer, publicJwk: other.publicJwk }, { method: 'GET', url })
    const parsed = parseDpopProof(proof, ['ES256'])
    if (typeof parsed === 'string') throw new Error(parsed)
    expect(await verifyDpopSignature(parsed, await importDpopPublicKey('ES256', parsed.jwk))).toBe(false)
  })
})
