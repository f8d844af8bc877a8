// D1 specifics, in workerd through Miniflare: concurrent refreshes of one token (requests in flight together
// in workerd's D1), and the store on a D1 session that starts on the primary — how an app with read
// replication keeps a revoked session or a spent refresh token from validating on a lagging replica.
import type { D1Database } from '@cloudflare/workers-types'
import { drizzle } from 'drizzle-orm/d1'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initializeAuthServices, JwtTokenManager, ServerSideSessionsTokenManager } from '../../src/index.ts'
import { sqliteTokenStore } from '../../src/sqlite/index.ts'
import { jwtConfig, sessionsConfig } from '../support/auth.ts'
import { openSqliteDatabase, type OpenSqliteDatabase } from '../support/drivers.ts'

let database: OpenSqliteDatabase
beforeAll(async () => {
  database = await openSqliteDatabase('d1')
})
afterAll(async () => database?.close())

describe('concurrent refreshes of one token on D1', () => {
  const families = 25
  const callers = 5
  // A few families at a time, every caller of a family at once: the race is per token, and a long queue in
  // the one local D1 would only test the deadline (a generous one here) on a busy machine.
  const race = async (gracePeriod: number | undefined) => {
    const jwtOptions = gracePeriod === undefined ? {} : { refreshTokenRotationGracePeriod: gracePeriod }
    const auth = initializeAuthServices({ store: sqliteTokenStore(database.db, { timeout: '30s' }), tokenManagerBuilders: [jwtConfig(jwtOptions)] })
    const jwt = auth.getTokenManager(JwtTokenManager)
    const outcomes: { ok: boolean; refreshToken?: string; code?: string }[][] = []
    for (let start = 0; start < families; start += 5) {
      const issued = await Promise.all(Array.from({ length: 5 }, (_, i) => jwt.issueToken({ authUserId: `race-${gracePeriod}-${start + i}`, method: 'email' })))
      outcomes.push(...(await Promise.all(issued.map((token) => Promise.all(Array.from({ length: callers }, () =>
        jwt.refreshAccessToken(token.refreshToken!).then((pair) => ({ ok: true, refreshToken: pair.refreshToken! }), (error: { code?: string }) => ({ ok: false, code: error.code }))))))))
    }
    return outcomes
  }

  it('grace 0: exactly one winner per token, the others told it was reused', async () => {
    for (const results of await race(0)) {
      expect(results.filter((r) => r.ok)).toHaveLength(1)
      for (const r of results) if (!r.ok) expect(['ERR_REFRESH_TOKEN_REUSED', 'ERR_REFRESH_TOKEN_NOT_FOUND']).toContain(r.code)
    }
  })

  it('grace 10 s: every caller of a token gets the same successor', async () => {
    for (const results of await race(undefined)) {
      expect(results.every((r) => r.ok)).toBe(true)
      expect(new Set(results.map((r) => (r as { refreshToken: string }).refreshToken)).size).toBe(1)
    }
  })
})

describe("the store on D1's Sessions API (read replication)", () => {
  it("on withSession('first-primary'): issue, validate, refresh, revoke; nothing revoked or spent validates after", async () => {
    const d1: D1Database = database.d1!
    // Per request, as the docs say: a session whose first query goes to the primary, so the request reads
    // its own writes and nothing older than the primary.
    const store = () => sqliteTokenStore(drizzle(d1.withSession('first-primary') as unknown as D1Database))
    const auth = () => initializeAuthServices({ store: store(), tokenManagerBuilders: [jwtConfig({ refreshTokenRotationGracePeriod: 0 }), sessionsConfig()] })
    const session = await auth().getTokenManager(ServerSideSessionsTokenManager).issueToken({ authUserId: 'replica-user', method: 'email' })
    const jwt = await auth().tokenManager.issueToken({ authUserId: 'replica-user', method: 'email' })
    expect(await auth().tokenManager.validateToken(session.token)).toMatchObject({ userIdentifier: 'replica-user' })
    const refreshed = await auth().getTokenManager(JwtTokenManager).refreshAccessToken(jwt.refreshToken!)
    await expect(auth().getTokenManager(JwtTokenManager).refreshAccessToken(jwt.refreshToken!)).rejects.toMatchObject({ code: 'ERR_REFRESH_TOKEN_REUSED' })
    await expect(auth().getTokenManager(JwtTokenManager).refreshAccessToken(refreshed.refreshToken!)).rejects.toMatchObject({ code: 'ERR_REFRESH_TOKEN_NOT_FOUND' })
    await auth().tokenManager.revokeToken({ tokenId: session.tokenId })
    expect(await auth().tokenManager.validateToken(session.token)).toBeNull()
  })
})
