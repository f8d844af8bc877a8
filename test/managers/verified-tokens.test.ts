// The verified-token cache in JwtTokenManager: safe only if all of these hold. A hit skips the signature
// check, so each property is shown by counting crypto.subtle.verify calls, not by timing.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { JwtAlgorithm, JwtTokenManager } from '../../src/index.ts'
import { VerifiedTokens } from '../../src/managers/verified-tokens.ts'
import { createAuth, secrets, testClock } from '../support/auth.ts'
import { openDatabase, type OpenDatabase } from '../support/drivers.ts'
import { forgeJws, claims } from '../support/forge.ts'

let database: OpenDatabase
beforeAll(async () => void (database = await openDatabase('pglite')))
afterAll(async () => database?.close())
afterEach(() => vi.restoreAllMocks())

const verifyCalls = () => vi.spyOn(crypto.subtle, 'verify')

function setup(options: { verifiedTokenCacheSize?: number } = {}) {
  const clock = testClock()
  const { auth } = createAuth(database.db, 'jwt', { clock, jwt: options })
  return { auth, clock, jwt: auth.getTokenManager(JwtTokenManager) }
}

describe('verified-token cache', () => {
  it('a token validated once is validated again without a signature check, with an equal, frozen result', async () => {
    const { jwt } = setup()
    const { token } = await jwt.issueToken({ authUserId: 'cache-hit', method: 'email', scopes: ['a'] })
    const first = await jwt.validateToken(token)
    const verify = verifyCalls()
    const again = await jwt.validateToken(token)
    expect(verify).not.toHaveBeenCalled()
    expect(again).toEqual(first)
    expect(Object.isFrozen(again)).toBe(true)
    expect(Object.isFrozen(again!.scopes)).toBe(true)
    expect(() => (again!.scopes as string[]).push('admin')).toThrow()
  })

  it('exp, iat and nbf are checked against the clock on every hit', async () => {
    const { jwt, clock } = setup()
    const { token } = await jwt.issueToken({ authUserId: 'cache-exp', method: 'email' })
    expect(await jwt.validateToken(token)).not.toBeNull()
    clock.advance(10 * 60_000 + 4_000)
    expect(await jwt.validateToken(token)).not.toBeNull() // within the 5 s tolerance
    clock.advance(2_000)
    expect(await jwt.validateToken(token)).toBeNull()
    // A token not yet valid (nbf) is refused on a hit too: cache it at a time it held, then go back.
    const cache = new VerifiedTokens(8, 0)
    cache.set('t', { userIdentifier: 'u', scopes: [], authId: 'x', tokenIssuer: 'jwt' }, { exp: 2_000, iat: 1_000, nbf: 1_500 })
    expect(cache.get('t', 1_600_000)).not.toBeNull()
    expect(cache.get('t', 1_400_000)).toBeNull()
  })

  it('failures are never cached: a bad token costs a check every time, and a near-miss of a good one is not a hit', async () => {
    const { jwt } = setup()
    const { token } = await jwt.issueToken({ authUserId: 'cache-miss', method: 'email' })
    await jwt.validateToken(token)
    const forged = await forgeJws({ alg: 'HS512', typ: 'JWT' }, claims(Date.now(), { sub: 'cache-miss' }), { hmac: 'wrong-key-wrong-key-wrong-key-wrong-key' })
    const verify = verifyCalls()
    for (let i = 0; i < 3; i++) expect(await jwt.validateToken(forged)).toBeNull()
    expect(verify).toHaveBeenCalledTimes(3)
    expect(await jwt.validateToken(`${token}x`)).toBeNull()
    expect(await jwt.validateToken(token.slice(0, -1))).toBeNull()
  })

  it('is bounded, least recently used first, and off at 0', async () => {
    const { jwt } = setup({ verifiedTokenCacheSize: 2 })
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((user) => jwt.issueToken({ authUserId: `lru-${user}`, method: 'email' })))
    for (const t of [a, b]) await jwt.validateToken(t!.token)
    await jwt.validateToken(a!.token) // a is now the most recent
    await jwt.validateToken(c!.token) // evicts b
    const verify = verifyCalls()
    await jwt.validateToken(a!.token)
    await jwt.validateToken(c!.token)
    expect(verify).not.toHaveBeenCalled()
    await jwt.validateToken(b!.token)
    expect(verify).toHaveBeenCalledTimes(1)

    const off = setup({ verifiedTokenCacheSize: 0 }).jwt
    const { token } = await off.issueToken({ authUserId: 'cache-off', method: 'email' })
    await off.validateToken(token)
    await off.validateToken(token)
    expect(verify).toHaveBeenCalledTimes(3)
    expect(() => setup({ verifiedTokenCacheSize: -1 })).toThrow(/verifiedTokenCacheSize/)
  })

  it('one cache per manager: a manager with other keys does not trust what another verified', async () => {
    const { jwt } = setup()
    const { token } = await jwt.issueToken({ authUserId: 'cache-keys', method: 'email' })
    expect(await jwt.validateToken(token)).not.toBeNull()
    const rotated = createAuth(database.db, 'jwt', { jwt: { algorithm: JwtAlgorithm.hmacSha512(secrets.otherHmac) } }).auth
    expect(await rotated.tokenManager.validateToken(token)).toBeNull()
  })
})
