// deleteExpiredTokens() on a table far larger than one statement can delete within the storage deadline:
// the sweep goes in batches, each its own short statement, so it finishes and returns the total, while
// validations of live sessions keep answering. (One DELETE of it all outlives the deadline: rolled back.)
import { drizzle } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { authSession, drizzleTokenStore } from '../../src/drizzle/index.ts'
import { sweep } from '../../src/sql/sweep.ts'
import { initializeAuthServices, JwtTokenManager, ServerSideSessionsTokenManager } from '../../src/index.ts'
import { jwtConfig, sessionsConfig } from '../support/auth.ts'
import { createServerDatabase } from '../support/postgres.ts'

const expired = 300_000
const deadline = '400ms'

let database: Awaited<ReturnType<typeof createServerDatabase>>
let pool: pg.Pool
beforeAll(async () => {
  database = await createServerDatabase('sweep')
  pool = new pg.Pool({ connectionString: database.url, max: 8 })
  pool.on('error', () => {})
  // Expired a day ago (sessions) or rotated a year ago (refresh tokens), as a neglected table holds them.
  await pool.query(
    `insert into auth_session (id, auth_user_id, method, scope_names, secret_hash, created_at, last_used_at, expires_at)
     select gen_random_uuid(), 'old-' || g, 'email', '{}', '\\x00', now() - interval '2 days', now() - interval '2 days', now() - interval '1 day'
     from generate_series(1, $1::int) g`, [expired])
  await pool.query(
    `insert into auth_refresh_token (id, auth_user_id, method, scope_names, fixed_secret_hash, rotating_secret_hash, created_at, last_updated_at)
     select gen_random_uuid(), 'old-' || g, 'email', '{}', '\\x00', '\\x00', now() - interval '1 year', now() - interval '1 year'
     from generate_series(1, $1::int) g`, [expired / 3])
}, 120_000)
afterAll(async () => {
  await pool?.end()
  await database?.drop()
})

describe('deleteExpiredTokens on a large table', () => {
  it(`sweeps ${expired.toLocaleString('en-US')} expired sessions and ${(expired / 3).toLocaleString('en-US')} refresh tokens within a ${deadline} deadline per statement, live sessions answering throughout`, async () => {
    const auth = initializeAuthServices({ store: drizzleTokenStore(drizzle(pool), { timeout: deadline }), tokenManagerBuilders: [jwtConfig(), sessionsConfig()] })
    const sessions = auth.getTokenManager(ServerSideSessionsTokenManager)
    const live = await Promise.all(Array.from({ length: 20 }, (_, i) => sessions.issueToken({ authUserId: `live-${i}`, method: 'email' })))
    const jwt = await auth.getTokenManager(JwtTokenManager).issueToken({ authUserId: 'live-jwt', method: 'email' })

    let sweeping = true
    const sweep = auth.tokenManager.deleteExpiredTokens().finally(() => (sweeping = false))
    let validations = 0
    while (sweeping) {
      const answers = await Promise.all(live.map((s) => sessions.validateToken(s.token)))
      expect(answers.every(Boolean)).toBe(true)
      validations += answers.length
    }
    expect(await sweep).toBe(expired + expired / 3)
    expect(validations).toBeGreaterThan(0)
    const left = await pool.query('select (select count(*) from auth_session)::int as sessions, (select count(*) from auth_refresh_token)::int as refresh')
    expect(left.rows[0]).toEqual({ sessions: live.length, refresh: 1 })
    expect(await auth.getTokenManager(JwtTokenManager).refreshAccessToken(jwt.refreshToken!)).toMatchObject({ authUserId: 'live-jwt' })
  }, 120_000)

  it('rests between batches as long as each took, and not after the last', async () => {
    const db = drizzle(pool)
    await pool.query(
      `insert into auth_session (id, auth_user_id, method, scope_names, secret_hash, created_at, last_used_at, expires_at)
       select gen_random_uuid(), 'rest-' || g, 'email', '{}', '\\x00', now(), now(), now() - interval '1 day' from generate_series(1, 12) g`)
    const rests: number[] = []
    const batches: number[] = []
    const timed = async <T>(operation: () => Promise<T>) => {
      const started = Date.now()
      try {
        return await operation()
      } finally {
        batches.push(Date.now() - started)
      }
    }
    const deleted = await sweep(timed, db, { table: authSession, id: authSession.id }, sql`${authSession.expiresAt} <= now()`, {
      batchSize: 5,
      rest: async (batchMs) => void rests.push(batchMs),
    })
    expect(deleted).toBe(12)
    expect(batches).toHaveLength(3) // 5 + 5 + 2
    expect(rests).toHaveLength(2)
    rests.forEach((rest, i) => expect(rest).toBeGreaterThanOrEqual(batches[i]!))
  })
})
