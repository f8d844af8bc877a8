// Races on the real PostgreSQL server, through a connection pool and through Neon's HTTP driver:
// parallel refreshes of one token are idempotent inside the grace window and exclusive with grace 0.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JwtTokenManager, RefreshTokenReusedError } from '../../src/index.ts'
import { createAuth, testClock } from '../support/auth.ts'
import { openDatabase, type OpenDatabase } from '../support/drivers.ts'

describe.each(['node-postgres', 'neon-http'] as const)('refresh races on %s', (driver) => {
  let database: OpenDatabase
  beforeAll(async () => void (database = await openDatabase(driver)))
  afterAll(async () => database?.close())

  it('20 parallel refreshes of one token all get the same new refresh token; the old one dies after the grace window', async () => {
    const clock = testClock()
    const { auth } = createAuth(database.db, 'jwt', { clock })
    const jwt = auth.getTokenManager(JwtTokenManager)
    const issued = await jwt.issueToken({ authUserId: 'race-user', method: 'email' })

    const results = await Promise.allSettled(Array.from({ length: 20 }, () => jwt.refreshAccessToken(issued.refreshToken!)))
    const succeeded = results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<{ refreshToken: string }>).value)
    expect(succeeded).toHaveLength(20)
    expect(new Set(succeeded.map((s) => s.refreshToken)).size).toBe(1)
    const next = succeeded[0]!.refreshToken
    expect(next).not.toBe(issued.refreshToken)

    clock.advance(10_001)
    await expect(jwt.refreshAccessToken(issued.refreshToken!)).rejects.toBeInstanceOf(RefreshTokenReusedError)
    // Reuse after the window revoked the family, so the winner's token is dead too.
    await expect(jwt.refreshAccessToken(next)).rejects.toMatchObject({ code: 'ERR_REFRESH_TOKEN_NOT_FOUND' })
  })

  it('with grace 0, exactly one of 20 parallel refreshes succeeds', async () => {
    const { auth } = createAuth(database.db, 'jwt', { jwt: { refreshTokenRotationGracePeriod: 0 } })
    const jwt = auth.getTokenManager(JwtTokenManager)
    const issued = await jwt.issueToken({ authUserId: 'race-strict', method: 'email' })
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => jwt.refreshAccessToken(issued.refreshToken!)))
    const winners = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
    expect(winners).toHaveLength(1)
    // Every loser presented a spent secret: reuse, which revokes the family (so later losers find no row),
    // and the winner's new token dies with it.
    for (const r of results) {
      if (r.status === 'rejected') expect(['ERR_REFRESH_TOKEN_REUSED', 'ERR_REFRESH_TOKEN_NOT_FOUND']).toContain(r.reason.code)
    }
    expect(results.some((r) => r.status === 'rejected' && r.reason.code === 'ERR_REFRESH_TOKEN_REUSED')).toBe(true)
    await expect(jwt.refreshAccessToken(winners[0]!.refreshToken!)).rejects.toMatchObject({ code: 'ERR_REFRESH_TOKEN_NOT_FOUND' })
  })
})
