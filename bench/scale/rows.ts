// Scale, part 2: session validation latency as the table grows to 10³, 10⁵ and 10⁶ rows, in a database
// created for the run and dropped after. Filler rows come from generate_series; the sessions validated
// are real ones issued by the library. EXPLAIN (ANALYZE) of the store's own lookup shows the index at work.
import { eq } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import { authSession } from '../../src/drizzle/index.ts'
import { ServerSideSessionsTokenManager } from '../../src/index.ts'
import { createAuth } from '../../test/support/auth.ts'
import { createServerDatabase } from '../../test/support/postgres.ts'
import { percentile } from './latency.ts'

export interface RowsResult {
  rows: number
  validations: number
  p50Ms: number
  p99Ms: number
  /** EXPLAIN (ANALYZE, BUFFERS) of the lookup validateToken runs, with a real session id. */
  plan: string
  /** Seconds the filler insert took (informational). */
  fillSeconds: number
}

const realClock = Object.assign(() => new Date(), { advance() {}, set() {} })

export async function measureRowGrowth({ sizes = [1_000, 100_000, 1_000_000], validations = 2_000, log = console.log } = {}): Promise<RowsResult[]> {
  const database = await createServerDatabase('bench_rows')
  const pool = new pg.Pool({ connectionString: database.url, max: 4 })
  pool.on('error', () => {})
  const db = drizzle(pool)
  const results: RowsResult[] = []
  try {
    const { auth } = createAuth(db, 'session', { clock: realClock, session: { lastUsedAtUpdateInterval: '1d' } })
    const sessions = auth.getTokenManager(ServerSideSessionsTokenManager)
    const real = await Promise.all(Array.from({ length: 100 }, (_, i) => sessions.issueToken({ authUserId: `real-${i}`, method: 'email' })))
    let filled = real.length
    for (const size of sizes) {
      const t0 = performance.now()
      // Filler: 50 000 users, random ids (uuid v4, as issued), 64-byte hashes that match no secret.
      await pool.query(
        `insert into auth_session (id, auth_user_id, method, scope_names, secret_hash, created_at, last_used_at)
         select gen_random_uuid(), 'user-' || (g % 50000), 'email', '{}', decode(md5(g::text) || md5((-g)::text), 'hex'), now(), now()
         from generate_series($1::int, $2::int) g`,
        [filled + 1, size],
      )
      await pool.query('analyze auth_session')
      const fillSeconds = (performance.now() - t0) / 1000
      filled = size
      // Warm-up, then timed sequential validations over the real sessions.
      for (const s of real) await sessions.validateToken(s.token)
      const timings: number[] = []
      for (let i = 0; i < validations; i++) {
        const t = performance.now()
        if (!(await sessions.validateToken(real[i % real.length]!.token))) throw new Error('session did not validate')
        timings.push(performance.now() - t)
      }
      timings.sort((a, b) => a - b)
      const lookup = db.select().from(authSession).where(eq(authSession.id, real[0]!.tokenId)).limit(1).toSQL()
      const explained = await pool.query(`explain (analyze, buffers, costs off) ${lookup.sql}`, lookup.params)
      const plan = explained.rows.map((r) => r['QUERY PLAN']).join('\n')
      results.push({ rows: size, validations, p50Ms: percentile(timings, 50), p99Ms: percentile(timings, 99), plan, fillSeconds })
      log(`  scale rows ${size}: validate p50 ${percentile(timings, 50).toFixed(3)} ms, p99 ${percentile(timings, 99).toFixed(3)} ms (fill ${fillSeconds.toFixed(1)} s)`)
    }
  } finally {
    await pool.end()
    await database.drop()
  }
  return results
}
