// Behind Cloudflare Hyperdrive, a read query is cached for 60 s (+15 s stale) unless it calls a function
// PostgreSQL marks volatile or stable. A cached session read would accept a revoked session for a minute:
// every read the stores send while validating or refreshing must call one (statement_timestamp() is
// stable). Captured from the wire of node-postgres, classified by the server's own pg_proc.
import { drizzle } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { drizzleTokenStore } from '../../src/drizzle/index.ts'
import { EdgeTokenError, initializeAuthServices, JwtTokenManager, ServerSideSessionsTokenManager, type TokenStore } from '../../src/index.ts'
import { serverpodStore } from '../../src/serverpod/index.ts'
import { jwtConfig, sessionsConfig, testClock } from '../support/auth.ts'
import { createServerDatabase } from '../support/postgres.ts'

let database: Awaited<ReturnType<typeof createServerDatabase>>
let pool: pg.Pool
const sent: string[] = []

beforeAll(async () => {
  database = await createServerDatabase('hyperdrive', { serverpod: true })
  pool = new pg.Pool({ connectionString: database.url, max: 4 })
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>
    client.query = ((config: unknown, ...rest: unknown[]) => {
      sent.push(typeof config === 'string' ? config : (config as { text: string }).text)
      return query(config, ...rest)
    }) as typeof client.query
  })
})
afterAll(async () => {
  await pool?.end()
  await database?.drop()
})

/** The functions a statement calls that PostgreSQL marks volatile (v) or stable (s). */
async function uncacheableCalls(statement: string): Promise<string[]> {
  const names = [...statement.matchAll(/\b([a-z_][a-z0-9_]*)\s*\(/gi)].map((m) => m[1]!.toLowerCase())
  const { rows } = await pool.query<{ proname: string }>(`select distinct proname from pg_proc where proname = any($1) and provolatile in ('v', 's')`, [names])
  return rows.map((row) => row.proname)
}

/** Runs `operations` and returns the read-only statements they sent: the ones Hyperdrive could cache. */
async function readsOf(operations: () => Promise<unknown>): Promise<string[]> {
  sent.length = 0
  await operations()
  return sent.filter((statement) => /^\s*(with\b[\s\S]*?\)\s*)?select\b/i.test(statement))
}

const stores: [string, () => TokenStore][] = [
  ['drizzleTokenStore', () => drizzleTokenStore(drizzle(pool))],
  ['serverpodStore', () => serverpodStore(drizzle(pool), { argon2: { memory: 1024, iterations: 1 } })],
]

describe.each(stores)('%s behind Hyperdrive', (name, store) => {
  it('sends no read for validation or refresh that Hyperdrive would cache', async () => {
    const clock = testClock()
    const auth = initializeAuthServices({ store: store(), tokenManagerBuilders: [jwtConfig(), sessionsConfig()], clock })
    await auth.ready
    const jwt = auth.getTokenManager(JwtTokenManager)
    const sessions = auth.getTokenManager(ServerSideSessionsTokenManager)
    const user = crypto.randomUUID()
    // serverpodStore checks users in Serverpod's own table (the drizzle store has none).
    if (name === 'serverpodStore') await pool.query(`insert into serverpod_auth_core_user (id, "createdAt", "scopeNames", blocked) values ($1, now(), '[]'::json, false)`, [user])
    const session = await sessions.issueToken({ authUserId: user, method: 'email' })
    const pair = await jwt.issueToken({ authUserId: user, method: 'email' })
    const reads = await readsOf(async () => {
      expect(await sessions.validateToken(session.token)).not.toBeNull()
      const next = await jwt.refreshAccessToken(pair.refreshToken!)
      await jwt.refreshAccessToken(pair.refreshToken!) // a retry within the grace window
      clock.advance(60_000)
      await jwt.refreshAccessToken(pair.refreshToken!).catch((error: unknown) => expect(error).toBeInstanceOf(EdgeTokenError)) // reuse
      await sessions.revokeToken({ tokenId: session.tokenId })
      expect(await sessions.validateToken(session.token)).toBeNull()
      return next
    })
    expect(reads.length).toBeGreaterThan(0)
    for (const statement of reads) expect(await uncacheableCalls(statement), statement).not.toEqual([])
  })
})
