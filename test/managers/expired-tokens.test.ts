// Expired tokens are dead: listTokens leaves them out, and deleteExpiredTokens() (run it from a cron)
// removes their rows, which otherwise stay until someone presents the token again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JwtTokenManager, ServerSideSessionsTokenManager } from '../../src/index.ts'
import { createAuth, testClock } from '../support/auth.ts'
import { openDatabase, type OpenDatabase } from '../support/drivers.ts'

const minutes = (n: number) => n * 60_000
const days = (n: number) => n * 86_400_000

describe.each(['pglite', 'neon-http'] as const)('expired tokens on %s', (driver) => {
  let database: OpenDatabase
  beforeAll(async () => void (database = await openDatabase(driver)))
  afterAll(async () => database?.close())

  const rows = async (table: string, authUserId: string) =>
    (await database.query(`select count(*)::int as n from ${table} where auth_user_id = $1`, [authUserId]))[0]!.n as number

  it('refresh tokens: hidden from listTokens and deleted once refreshTokenLifetime has passed since the last rotation', async () => {
    const clock = testClock()
    const { auth } = createAuth(database.db, 'jwt', { clock, jwt: { refreshTokenLifetime: '14d' } })
    const jwt = auth.getTokenManager(JwtTokenManager)
    const stale = await jwt.issueToken({ authUserId: 'x-jwt', method: 'email' })
    clock.advance(days(10))
    const fresh = await jwt.issueToken({ authUserId: 'x-jwt', method: 'email' })
    clock.advance(days(4)) // stale: exactly 14 days old; fresh: 4 days
    expect((await jwt.listTokens({ authUserId: 'x-jwt' })).map((t) => t.tokenId)).toEqual([fresh.tokenId])
    expect(await rows('auth_refresh_token', 'x-jwt')).toBe(2)

    expect(await auth.tokenManager.deleteExpiredTokens()).toBeGreaterThanOrEqual(1)
    expect(await rows('auth_refresh_token', 'x-jwt')).toBe(1)
    await expect(jwt.refreshAccessToken(stale.refreshToken!)).rejects.toMatchObject({ code: 'ERR_REFRESH_TOKEN_NOT_FOUND' })
    expect((await jwt.refreshAccessToken(fresh.refreshToken!)).tokenId).toBe(fresh.tokenId)
  })

  it('sessions: hidden and deleted past their lifetime or their inactivity timeout, never while alive', async () => {
    const clock = testClock()
    const { auth } = createAuth(database.db, 'session', { clock })
    const sessions = auth.getTokenManager(ServerSideSessionsTokenManager)
    const expiring = await sessions.issueToken({ authUserId: 'x-session', method: 'email', expiresAt: new Date(clock().getTime() + days(1)) })
    const idle = await sessions.issueToken({ authUserId: 'x-session', method: 'email', expireAfterUnusedFor: '1h' })
    const used = await sessions.issueToken({ authUserId: 'x-session', method: 'email', expireAfterUnusedFor: '1h' })
    const forever = await sessions.issueToken({ authUserId: 'x-session', method: 'email' })
    clock.advance(minutes(50))
    expect(await sessions.validateToken(used.token)).not.toBeNull() // keeps `used` alive past the first hour
    clock.advance(minutes(20))

    const listed = (await sessions.listTokens({ authUserId: 'x-session' })).map((t) => t.tokenId)
    expect(listed.sort()).toEqual([expiring.tokenId, used.tokenId, forever.tokenId].sort())
    expect(await auth.tokenManager.deleteExpiredTokens()).toBeGreaterThanOrEqual(1)
    expect(await rows('auth_session', 'x-session')).toBe(3)
    expect(await sessions.validateToken(idle.token)).toBeNull()

    clock.advance(days(1))
    expect(await auth.tokenManager.deleteExpiredTokens()).toBeGreaterThanOrEqual(2)
    expect((await sessions.listTokens({ authUserId: 'x-session' })).map((t) => t.tokenId)).toEqual([forever.tokenId])
    expect(await rows('auth_session', 'x-session')).toBe(1)
  })

  it('the multi manager cleans every manager and leaves live tokens alone', async () => {
    const clock = testClock()
    const { auth } = createAuth(database.db, 'multi', { clock, session: { defaultSessionLifetime: '2d' } })
    await auth.tokenManager.issueToken({ authUserId: 'x-multi', method: 'email' })
    await auth.getTokenManager(ServerSideSessionsTokenManager).issueToken({ authUserId: 'x-multi', method: 'email' })
    clock.advance(days(1))
    await auth.tokenManager.deleteExpiredTokens()
    expect(await auth.tokenManager.listTokens({ authUserId: 'x-multi' })).toHaveLength(2)
    clock.advance(days(14))
    await auth.tokenManager.deleteExpiredTokens()
    expect(await rows('auth_refresh_token', 'x-multi') + await rows('auth_session', 'x-multi')).toBe(0)
  })
})
