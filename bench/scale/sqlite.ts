// SQLite beside Postgres: per-operation latency (one client, back to back) of the operations that touch the
// database — session validate, JWT refresh, session issue — on better-sqlite3 and libSQL (files, WAL), D1
// (workerd's SQLite through Miniflare: each statement crosses into workerd, as a Worker's call crosses to
// D1) and the local Postgres through node-postgres. Then session validation as the SQLite table grows
// from 10³ to 10⁶ rows (the primary-key lookup stays flat).
import { drizzle } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import { drizzleTokenStore } from '../../src/drizzle/index.ts'
import { initializeAuthServices, JwtTokenManager, ServerSideSessionsTokenManager, type TokenStore } from '../../src/index.ts'
import { sqliteTokenStore } from '../../src/sqlite/index.ts'
import { jwtConfig, sessionsConfig } from '../../test/support/auth.ts'
import { openSqliteDatabase, sqliteDriverNames, type OpenSqliteDatabase } from '../../test/support/drivers.ts'
import { createServerDatabase } from '../../test/support/postgres.ts'
import { percentile } from './latency.ts'

export interface SqliteLatency {
  database: string
  operation: 'session validate' | 'JWT refresh' | 'session issue'
  p50Ms: number
  p99Ms: number
}
export interface SqliteRows {
  rows: number
  p50Ms: number
  p99Ms: number
}

async function timed(count: number, operation: (i: number) => Promise<unknown>): Promise<{ p50Ms: number; p99Ms: number }> {
  for (let i = 0; i < Math.min(50, count); i++) await operation(i) // warm
  const timings: number[] = []
  for (let i = 0; i < count; i++) {
    const t0 = performance.now()
    await operation(i)
    timings.push(performance.now() - t0)
  }
  timings.sort((a, b) => a - b)
  return { p50Ms: percentile(timings, 50), p99Ms: percentile(timings, 99) }
}

async function operationsOn(database: string, store: TokenStore<unknown>, count: number): Promise<SqliteLatency[]> {
  // No lastUsedAt writes (interval 1 day): the read path; the throttled write is one statement a minute.
  const auth = initializeAuthServices({ store, tokenManagerBuilders: [jwtConfig(), sessionsConfig({ lastUsedAtUpdateInterval: '1d' })] })
  await auth.ready
  const sessions = auth.getTokenManager(ServerSideSessionsTokenManager)
  const jwt = auth.getTokenManager(JwtTokenManager)
  const issued = await Promise.all(Array.from({ length: 100 }, (_, i) => sessions.issueToken({ authUserId: `bench-${i}`, method: 'email' })))
  let refreshToken = (await jwt.issueToken({ authUserId: 'bench-jwt', method: 'email' })).refreshToken!
  return [
    { database, operation: 'session validate', ...(await timed(count, (i) => sessions.validateToken(issued[i % issued.length]!.token))) },
    { database, operation: 'JWT refresh', ...(await timed(count, async () => (refreshToken = (await jwt.refreshAccessToken(refreshToken)).refreshToken!))) },
    { database, operation: 'session issue', ...(await timed(count, (i) => sessions.issueToken({ authUserId: `bench-new-${i}`, method: 'email' }))) },
  ]
}

export async function measureSqlite({ count = 1_000, sizes = [1_000, 100_000, 1_000_000], log = console.log } = {}): Promise<{ latency: SqliteLatency[]; rows: SqliteRows[] }> {
  const latency: SqliteLatency[] = []
  for (const driver of sqliteDriverNames) {
    const database = await openSqliteDatabase(driver)
    try {
      latency.push(...(await operationsOn(driver, sqliteTokenStore(database.db), count)))
    } finally {
      await database.close()
    }
    log(`sqlite: ${driver} done`)
  }
  const server = await createServerDatabase('bench_sqlite_pg')
  const pool = new pg.Pool({ connectionString: server.url, max: 4 })
  try {
    latency.push(...(await operationsOn('postgres (node-postgres)', drizzleTokenStore(drizzle(pool)), count)))
  } finally {
    await pool.end()
    await server.drop()
  }
  return { latency, rows: await rowGrowth(sizes, count, log) }
}

/** Session validation on better-sqlite3 as filler rows grow the table (random ids, hashes that match nothing). */
async function rowGrowth(sizes: number[], count: number, log: (line: string) => void): Promise<SqliteRows[]> {
  const database: OpenSqliteDatabase = await openSqliteDatabase('better-sqlite3')
  try {
    const auth = initializeAuthServices({ store: sqliteTokenStore(database.db), tokenManagerBuilders: [sessionsConfig({ lastUsedAtUpdateInterval: '1d' })] })
    const sessions = auth.getTokenManager(ServerSideSessionsTokenManager)
    const real = await Promise.all(Array.from({ length: 100 }, (_, i) => sessions.issueToken({ authUserId: `real-${i}`, method: 'email' })))
    const results: SqliteRows[] = []
    let filled = real.length
    for (const size of sizes) {
      await database.query(
        `with recursive g(n) as (select ? union all select n + 1 from g where n < ?)
         insert into auth_session (id, auth_user_id, method, scope_names, secret_hash, created_at, last_used_at)
         select lower(hex(randomblob(16))), 'user-' || (n % 50000), 'email', '[]', randomblob(64), 0, 0 from g`,
        [filled + 1, size],
      )
      filled = size
      results.push({ rows: size, ...(await timed(count, (i) => sessions.validateToken(real[i % real.length]!.token))) })
      log(`sqlite rows: ${size} done`)
    }
    return results
  } finally {
    await database.close()
  }
}
