// ES512 (ECDSA P-521) access tokens on the runtime under test, with keys the runtime generated itself.
// Where the runtime has no P-521 (measured by features.ts), each case asserts the documented outcome
// instead: configuration fails at `auth.ready` with ERR_UNSUPPORTED_ALGORITHM.
import { JwtAlgorithm, JwtTokenManager } from 'edge-token-managers'
import { assert, deepEqual, equal, rejects, suite } from './harness.ts'
import {
  bytesToBase64Url, createAuth, decodeJwt, generateEs512Keys, hs512Config, newUserId, secrets, signHs512, testClock,
  type ConformanceContext, type Es512KeyMaterial,
} from './support.ts'
import { es512Unavailable } from './unsupported.ts'

async function es512Auth(ctx: ConformanceContext, algorithm: JwtAlgorithm, fallbacks: JwtAlgorithm[] = [], clock = testClock()) {
  const { auth } = createAuth(ctx, [hs512Config({ algorithm, fallbackVerificationAlgorithms: fallbacks })], { clock })
  await auth.ready
  return { auth, clock, jwt: auth.getTokenManager(JwtTokenManager) }
}

const fromJwk = (keys: Es512KeyMaterial) => JwtAlgorithm.ecdsaSha512({ privateKey: keys.privateJwk, publicKey: keys.publicJwk })

/** RFC 7638 §3.2, computed here independently of the library. */
async function thumbprint({ crv, x, y }: JsonWebKey): Promise<string> {
  const canonical = JSON.stringify({ crv, kty: 'EC', x, y })
  return bytesToBase64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical))))
}

export const es512Tests = suite<ConformanceContext>('es512', (test) => {
  test('issues ES512 tokens (kid = RFC 7638 thumbprint) that validate, and publishes the public JWK', async (ctx) => {
    if (!ctx.features.ES512) return es512Unavailable(ctx)
    const keys = await generateEs512Keys()
    const { auth, jwt } = await es512Auth(ctx, fromJwk(keys))
    const user = newUserId()
    const issued = await auth.tokenManager.issueToken({ authUserId: user, method: 'email', scopes: ['read'] })
    const { header, signature } = decodeJwt(issued.token)
    const kid = await thumbprint(keys.publicJwk)
    deepEqual(header, { alg: 'ES512', typ: 'JWT', kid })
    equal(signature.length, 132, 'P1363 signature r ‖ s')
    deepEqual(await auth.tokenManager.validateToken(issued.token), { userIdentifier: user, scopes: ['read'], authId: issued.tokenId, tokenIssuer: 'jwt' })
    const { x, y } = keys.publicJwk
    deepEqual(await jwt.publicJwks(), [{ kty: 'EC', crv: 'P-521', x, y, kid, alg: 'ES512', use: 'sig' }], 'no private part published')
  })

  test('PEM (PKCS#8/SPKI), JWK and CryptoKey forms of one key pair are interchangeable', async (ctx) => {
    if (!ctx.features.ES512) return es512Unavailable(ctx)
    const keys = await generateEs512Keys()
    const clock = testClock()
    const fromPem = await es512Auth(ctx, JwtAlgorithm.ecdsaSha512({ privateKey: keys.privatePem, publicKey: keys.publicPem }), [], clock)
    const fromCryptoKey = await es512Auth(ctx, JwtAlgorithm.ecdsaSha512(keys.keys), [], clock)
    const viaJwk = await es512Auth(ctx, fromJwk(keys), [], clock)
    const issued = await fromPem.auth.tokenManager.issueToken({ authUserId: newUserId(), method: 'email' })
    assert(await fromCryptoKey.auth.tokenManager.validateToken(issued.token), 'CryptoKey config verifies a PEM-config token')
    assert(await viaJwk.auth.tokenManager.validateToken(issued.token), 'JWK config verifies it too')
    const next = await fromCryptoKey.jwt.refreshAccessToken(issued.refreshToken!)
    assert(await fromPem.auth.tokenManager.validateToken(next.token), 'and the other way round')
  })

  test('a public-key-only fallback verifies tokens of a retired key, picked by kid', async (ctx) => {
    if (!ctx.features.ES512) return es512Unavailable(ctx)
    const [oldKeys, newKeys] = await Promise.all([generateEs512Keys(), generateEs512Keys()])
    const clock = testClock()
    const old = await es512Auth(ctx, fromJwk(oldKeys), [], clock)
    const { token } = await old.auth.tokenManager.issueToken({ authUserId: newUserId(), method: 'email' })
    const rotated = await es512Auth(ctx, fromJwk(newKeys), [JwtAlgorithm.ecdsaSha512({ publicKey: oldKeys.publicJwk })], clock)
    assert(await rotated.auth.tokenManager.validateToken(token), 'fallback verifies')
    equal((await rotated.jwt.publicJwks()).length, 2, 'both keys published')
    const fresh = await es512Auth(ctx, fromJwk(newKeys), [], clock)
    equal(await fresh.auth.tokenManager.validateToken(token), null, 'without the fallback')
    // A verification-only algorithm cannot be the primary: it could not sign.
    const { auth: unsigned } = createAuth(ctx, [hs512Config({ algorithm: JwtAlgorithm.ecdsaSha512({ publicKey: oldKeys.publicJwk }) })])
    await rejects(unsigned.ready, { code: 'ERR_CONFIG' })
  })

  test('algorithm confusion and foreign keys are refused: HS512 forged with the public key, other ES512 keys', async (ctx) => {
    if (!ctx.features.ES512) return es512Unavailable(ctx)
    const [keys, otherKeys] = await Promise.all([generateEs512Keys(), generateEs512Keys()])
    const clock = testClock()
    const { auth } = await es512Auth(ctx, fromJwk(keys), [JwtAlgorithm.hmacSha512(secrets.hmac)], clock)
    const issued = await auth.tokenManager.issueToken({ authUserId: newUserId(), method: 'email' })
    const { header, claims } = decodeJwt(issued.token)
    // The classic attack: an HS512 MAC keyed with the (public) PEM, presented with the ES512 key's kid.
    for (const secret of [keys.publicPem, JSON.stringify(keys.publicJwk)]) {
      equal(await auth.tokenManager.validateToken(await signHs512({ ...header, alg: 'HS512' }, claims, secret)), null, 'HS512 keyed with the public key')
    }
    const other = await es512Auth(ctx, fromJwk(otherKeys), [], clock)
    const foreign = await other.auth.tokenManager.issueToken({ authUserId: newUserId(), method: 'email' })
    equal(await auth.tokenManager.validateToken(foreign.token), null, 'another ES512 key')
    const [h, c] = foreign.token.split('.')
    const [, , s] = issued.token.split('.')
    equal(await auth.tokenManager.validateToken(`${h}.${c}.${s}`), null, 'spliced signature')
    // An HS512 token of the fallback key still verifies: keys stay bound to their own algorithm.
    const { auth: hmac } = createAuth(ctx, [hs512Config()], { clock })
    assert(await auth.tokenManager.validateToken((await hmac.tokenManager.issueToken({ authUserId: newUserId(), method: 'email' })).token), 'HS512 fallback')
  })
})
