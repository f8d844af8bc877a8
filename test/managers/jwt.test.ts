// JwtTokenManager details the conformance suite (the behavioural spec, test/conformance) does not pin:
// exact claims, ES512 key ids and JWKS, refresh error mapping, users, configuration. Runs on PGlite;
// races run on the real server in test/reliability/.
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import { AuthUserBlockedError, ConfigError, JwtAlgorithm, JwtConfigFromPasswords, JwtTokenManager, MissingPasswordError, RefreshTokenMalformedError, ReservedClaimError } from '../../src/index.ts'
import { decodeBase64Url, utf8Decode } from '../../src/crypto/index.ts'
import { createAuth, jwtConfig, secrets, testClock } from '../support/auth.ts'
import { managerClock } from '../../src/managers/clock.ts'
import { openDatabase, type OpenDatabase } from '../support/drivers.ts'

let database: OpenDatabase
beforeAll(async () => void (database = await openDatabase('pglite')))
afterAll(async () => database?.close())

const decodePart = (token: string, index: number) => JSON.parse(utf8Decode(decodeBase64Url(token.split('.')[index]!)!)!)
const minutes = (n: number) => n * 60_000

function setup(options: Parameters<typeof createAuth>[2] = {}) {
  const { auth, clock } = createAuth(database.db, 'jwt', options)
  return { auth, clock, jwt: auth.getTokenManager(JwtTokenManager) }
}

describe('access tokens', () => {
  it('carry Serverpod-compatible claims and expire after 10 minutes by default', async () => {
    const { jwt, clock } = setup()
    const issued = await jwt.issueToken({ authUserId: 'u-claims', method: 'email', scopes: ['admin'] })
    expect(decodePart(issued.token, 0)).toEqual({ alg: 'HS512', typ: 'JWT' })
    const claims = decodePart(issued.token, 1)
    expect(claims).toMatchObject({ sub: 'u-claims', 'dev.serverpod.scopeNames': ['admin'], 'dev.serverpod.refreshTokenId': issued.tokenId })
    expect(claims.exp - claims.iat).toBe(600)
    expect(typeof claims.jti).toBe('string')
    expect(issued.tokenExpiresAt!.getTime()).toBe(claims.exp * 1000)
    expect(issued.jwtRefreshTokenId).toBe(issued.tokenId)

    clock.advance(minutes(9))
    expect(await jwt.validateToken(issued.token)).not.toBeNull()
    clock.advance(minutes(1) + 5_000) // past exp + the default 5 s tolerance
    expect(await jwt.validateToken(issued.token)).toBeNull()
  })

  it('omit the scope claim when there are no scopes and reject tokens issued in the future', async () => {
    const { jwt, clock } = setup()
    const issued = await jwt.issueToken({ authUserId: 'u-noscope', method: 'email' })
    expect(decodePart(issued.token, 1)).not.toHaveProperty('dev.serverpod.scopeNames')
    clock.advance(-minutes(1))
    expect(await jwt.validateToken(issued.token)).toBeNull()
  })

  it('include extra claims, and refuse reserved names before writing anything', async () => {
    const { jwt } = setup({ jwt: { extraClaimsProvider: ({ authUserId }) => ({ userRole: 'admin', organizationId: `org-${authUserId}` }) } })
    const issued = await jwt.issueToken({ authUserId: 'u-extra', method: 'email' })
    expect((await jwt.validateToken(issued.token))!.extraClaims).toEqual({ userRole: 'admin', organizationId: 'org-u-extra' })
    const refreshed = await jwt.refreshAccessToken(issued.refreshToken!)
    expect(decodePart(refreshed.token, 1)).toMatchObject({ userRole: 'admin', organizationId: 'org-u-extra' })

    for (const name of ['sub', 'exp', 'iss', 'jti', 'dev.serverpod.scopeNames', 'dev.serverpod.anything']) {
      const { jwt: guarded } = setup({ jwt: { extraClaimsProvider: () => ({ [name]: 'x' }) } })
      await expect(guarded.issueToken({ authUserId: 'u-reserved', method: 'email' })).rejects.toBeInstanceOf(ReservedClaimError)
    }
    expect(await jwt.listTokens({ authUserId: 'u-reserved' })).toEqual([])
  })

  it('require the configured issuer', async () => {
    const withIssuer = setup({ jwt: { issuer: 'https://api.example.com' } })
    const issued = await withIssuer.jwt.issueToken({ authUserId: 'u-iss', method: 'email' })
    expect(decodePart(issued.token, 1).iss).toBe('https://api.example.com')
    expect(await withIssuer.jwt.validateToken(issued.token)).not.toBeNull()
    expect(await setup().jwt.validateToken(issued.token)).toBeNull()
    expect(await setup({ jwt: { issuer: 'https://other.example.com' } }).jwt.validateToken(issued.token)).toBeNull()
  })
})

describe('ES512', () => {
  it('signs with a kid (RFC 7638 thumbprint), verifies, publishes the JWKS, and never accepts HS512', async () => {
    const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-521' }, true, ['sign', 'verify'])) as CryptoKeyPair
    const es = setup({ jwt: { algorithm: JwtAlgorithm.ecdsaSha512({ privateKey: pair.privateKey, publicKey: pair.publicKey }) } })
    await es.auth.ready
    const issued = await es.jwt.issueToken({ authUserId: 'u-es', method: 'email' })
    const header = decodePart(issued.token, 0)
    expect(header.alg).toBe('ES512')
    const [jwk] = await es.jwt.publicJwks()
    expect(header.kid).toBe(jwk!.kid)
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-521', alg: 'ES512', use: 'sig' })
    expect(jwk).not.toHaveProperty('d')
    expect(await es.jwt.validateToken(issued.token)).toMatchObject({ userIdentifier: 'u-es' })

    const hs = await setup().jwt.issueToken({ authUserId: 'u-hs', method: 'email' })
    expect(await es.jwt.validateToken(hs.token)).toBeNull()
    expect(await setup().jwt.validateToken(issued.token)).toBeNull()
  })
})

describe('refresh', () => {
  it('maps bad refresh tokens to the four typed errors', async () => {
    const { jwt } = setup()
    for (const bad of ['', 'garbage', 'etmrt_short', `etmrt_${'!'.repeat(86)}`]) {
      await expect(jwt.refreshAccessToken(bad)).rejects.toMatchObject({ code: 'ERR_REFRESH_TOKEN_MALFORMED' })
    }
    await expect(jwt.refreshAccessToken(undefined as unknown as string)).rejects.toBeInstanceOf(RefreshTokenMalformedError)
    const issued = await jwt.issueToken({ authUserId: 'u-errors', method: 'email' })
    await expect(jwt.refreshAccessToken(issued.token)).rejects.toBeInstanceOf(RefreshTokenMalformedError)
    await jwt.revokeToken({ tokenId: issued.tokenId })
    await expect(jwt.refreshAccessToken(issued.refreshToken!)).rejects.toMatchObject({ code: 'ERR_REFRESH_TOKEN_NOT_FOUND' })
  })

  it('refuses a wrong fixed secret without revoking (the id alone is public)', async () => {
    const { jwt } = setup()
    const issued = await jwt.issueToken({ authUserId: 'u-fixed', method: 'email' })
    const bytes = decodeBase64Url(issued.refreshToken!.slice('etmrt_'.length))!
    bytes[20]! ^= 0xff // inside the fixed secret
    const { encodeBase64Url } = await import('../../src/crypto/index.ts')
    const forged = `etmrt_${encodeBase64Url(bytes)}`
    await expect(jwt.refreshAccessToken(forged)).rejects.toMatchObject({ code: 'ERR_REFRESH_TOKEN_INVALID_SECRET' })
    expect(await jwt.refreshAccessToken(issued.refreshToken!)).toMatchObject({ authUserId: 'u-fixed' })
  })

})

describe('users', () => {
  it('refuses blocked and unknown users, keeps their rows, and defaults scopes from authUsers', async () => {
    const users = new Map([['u-ok', { scopes: ['default-scope'], blocked: false }]])
    const { jwt } = setup({ authUsers: { get: async (id) => users.get(id) ?? null } })
    const issued = await jwt.issueToken({ authUserId: 'u-ok', method: 'email' })
    expect(issued.scopeNames).toEqual(['default-scope'])
    await expect(jwt.issueToken({ authUserId: 'u-unknown', method: 'email' })).rejects.toMatchObject({ code: 'ERR_AUTH_USER_NOT_FOUND' })

    users.set('u-ok', { scopes: [], blocked: true })
    await expect(jwt.issueToken({ authUserId: 'u-ok', method: 'email' })).rejects.toBeInstanceOf(AuthUserBlockedError)
    await expect(jwt.refreshAccessToken(issued.refreshToken!)).rejects.toBeInstanceOf(AuthUserBlockedError)
    expect(await jwt.listTokens({ authUserId: 'u-ok' })).toHaveLength(1)
  })
})

describe('configuration', () => {
  it('validates peppers and lifetimes like Serverpod, naming the option and never the value', () => {
    expect(() => jwtConfig({ refreshTokenHashPepper: 'short' })).toThrow(ConfigError)
    expect(() => jwtConfig({ fallbackRefreshTokenHashPeppers: ['tiny'] })).toThrow(/fallbackRefreshTokenHashPeppers\[0\]/)
    expect(() => jwtConfig({ accessTokenLifetime: 0 })).toThrow(/accessTokenLifetime/)
    expect(() => jwtConfig({ refreshTokenLifetime: '-1d' as never })).toThrow(/refreshTokenLifetime/)
    expect(() => JwtAlgorithm.hmacSha512('x'.repeat(31))).toThrow(/at least 32 bytes/)
    expect(() => JwtAlgorithm.hmacSha512(new Uint8Array(31))).toThrow(ConfigError)
    const error = (() => {
      try {
        jwtConfig({ refreshTokenHashPepper: 'too-short' })
      } catch (e) {
        return e as Error
      }
    })()
    expect(error!.message).toContain('refreshTokenHashPepper')
    expect(error!.message).not.toContain('too-short')
  })

  it('reads passwords from a record, with or without the SERVERPOD_PASSWORD_ prefix', async () => {
    const config = new JwtConfigFromPasswords({
      jwtHmacSha512PrivateKey: secrets.hmac,
      SERVERPOD_PASSWORD_jwtRefreshTokenHashPepper: secrets.refreshPepper,
    })
    const { auth, clock } = createAuth(database.db, 'jwt')
    // The test clock of `setup()` too: a real-time token would look issued in the future to it.
    const fromPasswords = config.build({ store: auth.store, clock: managerClock(clock), authUsers: undefined })
    const issued = await fromPasswords.issueToken({ authUserId: 'u-passwords', method: 'email' })
    // Same key as the test config: a token from one validates on the other.
    expect(await setup().jwt.validateToken(issued.token)).not.toBeNull()

    const error = (() => {
      try {
        new JwtConfigFromPasswords({ jwtHmacSha512PrivateKey: secrets.hmac })
      } catch (e) {
        return e as MissingPasswordError
      }
    })()
    expect(error).toBeInstanceOf(MissingPasswordError)
    expect(error!.message).toContain('jwtRefreshTokenHashPepper')
    expect(error!.message).not.toContain(secrets.hmac)
  })

  it('names every missing password in one error, accepts a wrangler-types interface Env, and skips unset fallbacks', async () => {
    const error = (() => {
      try {
        new JwtConfigFromPasswords({})
      } catch (e) {
        return e as MissingPasswordError
      }
    })()
    expect(error!.keys).toEqual(['jwtHmacSha512PrivateKey', 'jwtRefreshTokenHashPepper'])
    expect(error!.message).toMatch(/"jwtHmacSha512PrivateKey", "jwtRefreshTokenHashPepper" are not set/)
    // What `wrangler types` writes: an interface, so no index signature. It must type-check as passwords.
    interface Env { jwtHmacSha512PrivateKey: string; jwtRefreshTokenHashPepper: string; OLD_KEY?: string; OLD_PEPPER?: string; DB: object }
    const env: Env = { jwtHmacSha512PrivateKey: secrets.hmac, jwtRefreshTokenHashPepper: secrets.refreshPepper, DB: {} }
    // Before a first rotation the "previous" variables are unset: the fallbacks are then simply none.
    const config = new JwtConfigFromPasswords(env, {
      fallbackVerificationAlgorithms: [env.OLD_KEY && JwtAlgorithm.hmacSha512(env.OLD_KEY)],
      fallbackRefreshTokenHashPeppers: [env.OLD_PEPPER],
    })
    // The callbacks see the caller's context type (`context.ip` type-checks; tsc reads this file).
    new JwtConfigFromPasswords<unknown, { ip: string }>(env, {
      extraClaimsProvider: ({ context }) => ({ ip: context.ip }),
      onRefreshTokenCreated: ({ context }) => void expectTypeOf(context).toEqualTypeOf<{ ip: string }>(),
    })
    const { auth } = createAuth(database.db, 'jwt')
    const manager = config.build({ store: auth.store, clock: managerClock(testClock()), authUsers: undefined })
    const issued = await manager.issueToken({ authUserId: 'u-env', method: 'email' })
    expect(await manager.refreshAccessToken(issued.refreshToken!)).toMatchObject({ authUserId: 'u-env' })
  })

  it('fails at configuration time for an unusable key', async () => {
    const { auth } = createAuth(database.db, 'jwt', { jwt: { algorithm: JwtAlgorithm.ecdsaSha512({ publicKey: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----' }) } })
    await expect(auth.ready).rejects.toMatchObject({ code: 'ERR_KEY_IMPORT' })
  })

  it('getTokenManager finds managers by type and throws a typed error otherwise', async () => {
    const { ServerSideSessionsTokenManager } = await import('../../src/index.ts')
    const { auth } = createAuth(database.db, 'jwt')
    expect(auth.getTokenManager(JwtTokenManager)).toBeInstanceOf(JwtTokenManager)
    expect(() => auth.getTokenManager(ServerSideSessionsTokenManager)).toThrow(expect.objectContaining({ code: 'ERR_TOKEN_MANAGER_NOT_FOUND' }))
  })
})
