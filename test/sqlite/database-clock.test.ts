// Stored-state rules on the database's clock, on SQLite's terms: rows stamped inside the statement as
// integer milliseconds (`unixepoch('subsec')`), and the expiry sweeps (lifetime, inactivity plus the touch
// slack) decided in SQL against that clock — with no clock injected, as in production.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initializeAuthServices, ServerSideSessionsTokenManager } from '../../src/index.ts'
import { sqliteTokenStore } from '../../src/sqlite/index.ts'
import { jwtConfig, sessionsConfig } from '../support/auth.ts'
import { openSqliteDatabase, sqliteDriverNames, type OpenSqliteDatabase } from '../support/drivers.ts'

const hour = 3_600_000

describe.each(sqliteDriverNames)('the database clock on %s', (driver) => {
  let database: OpenSqliteDatabase
  beforeAll(async () => {
    database = await openSqliteDatabase(driver)
  })
  afterAll(async () => database?.close())

  const auth = () => initializeAuthServices({
    store: sqliteTokenStore(database.db),
    tokenManagerBuilders: [jwtConfig({ refreshTokenLifetime: '14d' }), sessionsConfig({ lastUsedAtUpdateInterval: '1m' })],
  })

  it('stamps new rows with the database time, stored as integer milliseconds', async () => {
    const before = Date.now()
    const issued = await auth().tokenManager.issueToken({ authUserId: 'clock-user', method: 'email' })
    const [row] = await database.query('select typeof(created_at) as type, created_at, last_updated_at from auth_refresh_token where id = ?', [issued.tokenId])
    expect(row).toMatchObject({ type: 'integer' })
    expect(row!.created_at).toBe(row!.last_updated_at)
    expect(Number(row!.created_at)).toBeGreaterThanOrEqual(before - 1_000)
    expect(Number(row!.created_at)).toBeLessThanOrEqual(Date.now() + 1_000)
  })

  it('sweeps sessions idle longer than their timeout plus the touch slack, and refresh tokens past their lifetime', async () => {
    const services = auth()
    const sessions = services.getTokenManager(ServerSideSessionsTokenManager)
    const idle = await sessions.issueToken({ authUserId: 'sweep-user', method: 'email', expireAfterUnusedFor: '1h' })
    const recent = await sessions.issueToken({ authUserId: 'sweep-user', method: 'email', expireAfterUnusedFor: '1h' })
    const stale = await services.tokenManager.issueToken({ authUserId: 'sweep-user', method: 'email' })
    const fresh = await services.tokenManager.issueToken({ authUserId: 'sweep-user', method: 'email' })
    // Move rows back in time directly: the sweep compares them with the database's clock, not the test's.
    await database.query('update auth_session set last_used_at = last_used_at - ? where id = ?', [hour + 7 * 60_000, idle.tokenId])
    await database.query('update auth_session set last_used_at = last_used_at - ? where id = ?', [hour, recent.tokenId]) // within the 1 min slack
    await database.query('update auth_refresh_token set last_updated_at = last_updated_at - ? where id = ?', [14 * 24 * hour + 1_000, stale.tokenId])
    await database.query('update auth_refresh_token set last_updated_at = last_updated_at - ? where id = ?', [14 * 24 * hour - 60_000, fresh.tokenId])

    expect(await services.tokenManager.deleteExpiredTokens()).toBe(2)
    const left = (await services.tokenManager.listTokens({ authUserId: 'sweep-user' })).map((t) => t.tokenId).sort()
    expect(left).toEqual([recent.tokenId, fresh.tokenId].sort())
  })
})
