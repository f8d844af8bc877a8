// Key import from every accepted form, typed errors for the rest, and RFC 7638 thumbprints that agree
// with jose's.
import { calculateJwkThumbprint } from 'jose'
import { describe, expect, it } from 'vitest'
import { KeyImportError } from '../../src/index.ts'
import { encodeBase64, importEs512PrivateKey, importEs512PublicKey, importHmacSha512Key, jwkThumbprint } from '../../src/crypto/index.ts'

const pem = (label: string, der: ArrayBuffer) => `-----BEGIN ${label}-----\n${encodeBase64(new Uint8Array(der)).replace(/.{64}/g, '$&\n')}\n-----END ${label}-----\n`

describe('ES512 keys', async () => {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-521' }, true, ['sign', 'verify'])) as CryptoKeyPair
  const data = new TextEncoder().encode('x')

  it('import from PEM (PKCS#8 / SPKI), JWK and CryptoKey into a working pair', async () => {
    const forms = [
      [pem('PRIVATE KEY', await crypto.subtle.exportKey('pkcs8', pair.privateKey)), pem('PUBLIC KEY', await crypto.subtle.exportKey('spki', pair.publicKey))],
      [await crypto.subtle.exportKey('jwk', pair.privateKey), await crypto.subtle.exportKey('jwk', pair.publicKey)],
      [pair.privateKey, pair.publicKey],
    ] as const
    for (const [privateForm, publicForm] of forms) {
      const privateKey = await importEs512PrivateKey(privateForm)
      const publicKey = await importEs512PublicKey(publicForm)
      const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-512' }, privateKey, data)
      expect(await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-512' }, publicKey, signature, data)).toBe(true)
    }
  })

  it('refuse other curves, swapped roles, SEC1 PEM and garbage with KeyImportError', async () => {
    const p256 = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair
    const p256Jwk = await crypto.subtle.exportKey('jwk', p256.publicKey)
    const attempts = [
      () => importEs512PublicKey(p256.publicKey),
      () => importEs512PublicKey(p256Jwk),
      () => importEs512PrivateKey(pair.publicKey),
      () => importEs512PublicKey(pair.privateKey),
      () => importEs512PrivateKey('-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----'),
      () => importEs512PublicKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----'),
      () => importEs512PublicKey('not a key'),
      () => importEs512PublicKey({ kty: 'EC', crv: 'P-521', x: 'AA', y: 'AA' }),
    ]
    for (const attempt of attempts) await expect(attempt()).rejects.toBeInstanceOf(KeyImportError)
    await expect(importEs512PrivateKey('-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----')).rejects.toThrow(/openssl pkcs8/)
  })

  it('thumbprint (kid) per RFC 7638, equal to jose', async () => {
    const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey)
    expect(await jwkThumbprint(jwk)).toBe(await calculateJwkThumbprint(jwk as Parameters<typeof calculateJwkThumbprint>[0], 'sha256'))
  })
})

describe('HS512 keys', () => {
  it('take strings as UTF-8, bytes as-is, and only HMAC SHA-512 CryptoKeys', async () => {
    const fromString = await importHmacSha512Key('é'.repeat(40))
    const fromBytes = await importHmacSha512Key(new TextEncoder().encode('é'.repeat(40)))
    const data = new TextEncoder().encode('x')
    expect(await crypto.subtle.sign('HMAC', fromString, data)).toEqual(await crypto.subtle.sign('HMAC', fromBytes, data))
    const sha256 = await crypto.subtle.importKey('raw', new Uint8Array(32), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
    await expect(importHmacSha512Key(sha256)).rejects.toBeInstanceOf(KeyImportError)
  })
})
