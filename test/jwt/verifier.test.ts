// createAccessTokenVerifier (edge-token-managers/jwt): accepts what a JwtTokenManager issues, by key form;
// invalid tokens give null; configuration errors are typed. The rules themselves are the manager's
// (test/security/differential.test.ts runs both against a reference).
import { describe, expect, it } from 'vitest'
import { initializeAuthServices, JwtAlgorithm, JwtConfig, JwtTokenManager, type TokenStore } from '../../src/index.ts'
import { createAccessTokenVerifier } from '../../src/jwt/index.ts'
import { garbageTokens, secrets } from '../support/auth.ts'
import { es512KeyMaterial } from '../support/forge.ts'

const noStore = { insertRefreshToken: async () => {} } as unknown as TokenStore

async function issue(algorithm: JwtAlgorithm, options: { issuer?: string } = {}) {
  const jwt = initializeAuthServices({ store: noStore, tokenManagerBuilders: [new JwtConfig({ algorithm, refreshTokenHashPepper: secrets.refreshPepper, ...options })] })
    .getTokenManager(JwtTokenManager)
  return { jwt, token: (await jwt.issueToken({ authUserId: 'ada', method: 'email', scopes: ['admin'] })).token }
}

describe('createAccessTokenVerifier', () => {
  it('validates HS512 tokens from a string secret, bytes or a CryptoKey, with the manager\'s result', async () => {
    const { jwt, token } = await issue(JwtAlgorithm.hmacSha512(secrets.hmac))
    const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secrets.hmac), { name: 'HMAC', hash: 'SHA-512' }, false, ['verify'])
    for (const form of [secrets.hmac, new TextEncoder().encode(secrets.hmac), key]) {
      const verify = createAccessTokenVerifier({ key: form })
      expect(await verify(token)).toEqual(await jwt.validateToken(token))
      expect(await verify(token)).toMatchObject({ userIdentifier: 'ada', scopes: ['admin'], tokenIssuer: 'jwt' })
    }
  })

  it('validates ES512 tokens with the public CryptoKey, and fallback keys during a rotation', async () => {
    const es = await es512KeyMaterial()
    const { token } = await issue(JwtAlgorithm.ecdsaSha512({ privateKey: es.privateKey, publicKey: es.publicKey }))
    expect(await createAccessTokenVerifier({ key: es.publicKey })(token)).toMatchObject({ userIdentifier: 'ada' })
    expect(await createAccessTokenVerifier({ keys: [secrets.otherHmac, es.publicKey] })(token)).toMatchObject({ userIdentifier: 'ada' })
    expect(await createAccessTokenVerifier({ key: secrets.hmac })(token)).toBeNull() // algorithm bound to the key
  })

  it('an ES512 token\'s second spelling (s → n − s) is accepted with the same claims and id: key nothing on the string', async () => {
    const es = await es512KeyMaterial()
    const { jwt, token } = await issue(JwtAlgorithm.ecdsaSha512({ privateKey: es.privateKey, publicKey: es.publicKey }))
    const [header, payload, signature] = token.split('.') as [string, string, string]
    const bytes = Uint8Array.from(atob(signature.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))
    const n = 0x1fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n // the order of P-521
    const s = BigInt(`0x${Array.from(bytes.subarray(66), (b) => b.toString(16).padStart(2, '0')).join('')}`)
    const flipped = (n - s).toString(16).padStart(132, '0').match(/../g)!.map((h) => parseInt(h, 16))
    const spelling = `${header}.${payload}.${btoa(String.fromCharCode(...bytes.subarray(0, 66), ...flipped)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`
    expect(spelling).not.toBe(token)
    const original = await jwt.validateToken(token)
    expect(original).not.toBeNull()
    expect(await jwt.validateToken(spelling)).toEqual(original) // same user, scopes and authId
    expect(await createAccessTokenVerifier({ key: es.publicKey })(spelling)).toEqual(original)
  })

  it('returns null for garbage, foreign keys, wrong issuer, never a throw', async () => {
    const { token } = await issue(JwtAlgorithm.hmacSha512(secrets.hmac), { issuer: 'https://a.example' })
    const verify = createAccessTokenVerifier({ key: secrets.hmac, issuer: 'https://a.example' })
    expect(await verify(token)).not.toBeNull()
    expect(await createAccessTokenVerifier({ key: secrets.hmac })(token)).toBeNull()
    expect(await createAccessTokenVerifier({ key: secrets.hmac, issuer: 'https://b.example' })(token)).toBeNull()
    expect(await createAccessTokenVerifier({ key: secrets.otherHmac, issuer: 'https://a.example' })(token)).toBeNull()
    for (const garbage of [...garbageTokens, undefined, null, 42, {}] as string[]) expect(await verify(garbage)).toBeNull()
  })

  it('throws typed configuration errors at once; a key Web Crypto refuses rejects ready', async () => {
    const config = { code: 'ERR_CONFIG' }
    expect(() => createAccessTokenVerifier({} as never)).toThrow(expect.objectContaining(config))
    expect(() => createAccessTokenVerifier({ key: secrets.hmac, keys: [secrets.hmac] })).toThrow(expect.objectContaining(config))
    expect(() => createAccessTokenVerifier({ key: 'short' })).toThrow(expect.objectContaining(config))
    expect(() => createAccessTokenVerifier({ key: undefined as never, keys: [] })).toThrow(expect.objectContaining(config))
    expect(() => createAccessTokenVerifier({ key: secrets.hmac, issuer: '' })).toThrow(expect.objectContaining(config))
    for (const clockTolerance of [-1, Number.NaN, '5s' as never]) expect(() => createAccessTokenVerifier({ key: secrets.hmac, clockTolerance })).toThrow(expect.objectContaining(config))
    const es = await es512KeyMaterial()
    expect(() => createAccessTokenVerifier({ key: es.privateKey })).toThrow(expect.objectContaining({ code: 'ERR_KEY_IMPORT' }))
    const sha256 = await crypto.subtle.importKey('raw', new Uint8Array(64), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'])
    const verify = createAccessTokenVerifier({ key: sha256 })
    await expect(verify.ready).rejects.toMatchObject({ code: 'ERR_KEY_IMPORT' })
    await expect(verify('x.y.z')).rejects.toMatchObject({ code: 'ERR_KEY_IMPORT' })
  })
})
