// A refresh with nothing wrong is one compare-and-swap carrying the presented secrets' hashes, which only
// deterministic (unsalted, peppered HMAC) hashes allow. Rows hashed before that (salted) and rows under a
// fallback pepper still refresh through the read path, and come out in the deterministic form.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SecretHasher } from '../../src/crypto/secret-hash.ts'
import { decodeRefreshToken } from '../../src/managers/refresh-token.ts'
import { JwtTokenManager, RefreshTokenReusedError } from '../../src/index.ts'
import { createAuth, secrets } from '../support/auth.ts'
import { createPgliteDatabase } from '../support/postgres.ts'

let database: Awaited<ReturnType<typeof createPgliteDatabase>>
beforeAll(async () => {
  database = await createPgliteDatabase()
})
afterAll(async () => database?.close())

/** Salt length of a stored hash: `[version][algorithm][salt length][salt][digest]` for HMAC. */
const saltLengthOf = (hash: Uint8Array) => hash[2]
const storedHashes = async (id: string) => {
  const { rows: [row] } = await database.client.query<{ fixed_secret_hash: Uint8Array; rotating_secret_hash: Uint8Array }>('select fixed_secret_hash, rotating_secret_hash from auth_refresh_token where id = $1', [id])
  return { fixed: new Uint8Array(row!.fixed_secret_hash), rotating: new Uint8Array(row!.rotating_secret_hash) }
}

describe('refresh in one statement', () => {
  it('stores refresh hashes without a salt, so the same secret always hashes to the same bytes', async () => {
    const { auth } = createAuth(database.db, 'jwt')
    const pair = await auth.getTokenManager(JwtTokenManager).issueToken({ authUserId: 'one-trip-1', method: 'email' })
    const stored = await storedHashes(pair.tokenId)
    expect([saltLengthOf(stored.fixed), saltLengthOf(stored.rotating)]).toEqual([0, 0])
  })

  it('a row hashed with a salt (before this format) refreshes through the read path and is re-hashed unsalted', async () => {
    const { auth } = createAuth(database.db, 'jwt')
    const jwt = auth.getTokenManager(JwtTokenManager)
    const pair = await jwt.issueToken({ authUserId: 'one-trip-2', method: 'email' })
    const parts = decodeRefreshToken(pair.refreshToken)!
    const salted = new SecretHasher({ pepper: secrets.refreshPepper, saltLength: 16 })
    await database.client.query('update auth_refresh_token set fixed_secret_hash = $2, rotating_secret_hash = $3 where id = $1', [
      pair.tokenId, await salted.hash(parts.fixedSecret), await salted.hash(parts.rotatingSecret),
    ])
    const next = await jwt.refreshAccessToken(pair.refreshToken!)
    const stored = await storedHashes(pair.tokenId)
    expect([saltLengthOf(stored.fixed), saltLengthOf(stored.rotating)]).toEqual([0, 0])
    // The rewritten row now takes the one-statement path, and the old secret is a retry inside the window.
    await expect(jwt.refreshAccessToken(next.refreshToken!)).resolves.toMatchObject({ tokenId: pair.tokenId })
  })

  it('a row under a fallback pepper misses the swap, refreshes through the read path, and moves to the primary pepper', async () => {
    const oldPepper = 'the previous refresh pepper, retired'
    const { auth: before } = createAuth(database.db, 'jwt', { jwt: { refreshTokenHashPepper: oldPepper } })
    const pair = await before.getTokenManager(JwtTokenManager).issueToken({ authUserId: 'one-trip-3', method: 'email' })
    const { auth } = createAuth(database.db, 'jwt', { jwt: { fallbackRefreshTokenHashPeppers: [oldPepper] } })
    const jwt = auth.getTokenManager(JwtTokenManager)
    // The rotation key is the primary pepper too, so the rotated token belongs to the new configuration.
    const next = await jwt.refreshAccessToken(pair.refreshToken!)
    const stored = await storedHashes(pair.tokenId)
    const primary = new SecretHasher({ pepper: secrets.refreshPepper, saltLength: 0 })
    expect(await primary.verify(decodeRefreshToken(pair.refreshToken)!.fixedSecret, stored.fixed)).toBe('current')
    await expect(jwt.refreshAccessToken(next.refreshToken!)).resolves.toMatchObject({ tokenId: pair.tokenId })
  })

  it('a replay after the window still revokes the family: the swap misses, the read classifies it as reuse', async () => {
    const { auth, clock } = createAuth(database.db, 'jwt')
    const jwt = auth.getTokenManager(JwtTokenManager)
    const pair = await jwt.issueToken({ authUserId: 'one-trip-4', method: 'email' })
    const next = await jwt.refreshAccessToken(pair.refreshToken!)
    clock.advance(10_001)
    await expect(jwt.refreshAccessToken(pair.refreshToken!)).rejects.toBeInstanceOf(RefreshTokenReusedError)
    await expect(jwt.refreshAccessToken(next.refreshToken!)).rejects.toMatchObject({ code: 'ERR_REFRESH_TOKEN_NOT_FOUND' })
  })
})
