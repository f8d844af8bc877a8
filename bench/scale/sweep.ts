// The expiry sweep of a neglected table under load: millions of expired sessions and refresh tokens beside
// 100 live sessions that 100 clients keep validating (closed loops, node-postgres, one pool of 20). First
// the validators run alone (quiet), then again while `deleteExpiredTokens()` sweeps with the default
// storage deadline, then alone again; the p99 during the sweep over the quiet p99 is what the sweep costs
// the live traffic. The quiet run after it brackets the sweep: on a shared machine the neighbours' load can
// change more in those minutes than the sweep does, and each phase's load average is kept to show it.
// Every DELETE the sweep sends is timed at the pool, so a batch near the deadline shows.
import { drizzle } from 'drizzle-orm/node-postgres'
import { loadavg } from 'node:os'
import pg from 'pg'
import { drizzleTokenStore } from '../../src/drizzle/index.ts'
import { EdgeTokenError, initializeAuthServices, ServerSideSessionsTokenManager } from '../../src/index.ts'
import { jwtConfig, sessionsConfig } from '../../test/support/auth.ts'
import { createServerDatabase } from '../../test/support/postgres.ts'
import { closedLoop, percentile, type LatencySummary } from './latency.ts'

/** The store's default deadline per statement (no `timeout` is passed below). */
const defaultDeadlineMs = 5_000
const fillChunk = 1_000_000

export interface SweepResult {
  expiredSessions: number
  expiredRefreshTokens: number
  liveSessions: number
  clients: number
  /** Seconds the fill (insert and vacuum) took; informational. */
  fillSeconds: number
  quiet: LatencySummary
  during: LatencySummary
  quietAfter: LatencySummary
  /** The 1-minute load average at the end of the quiet, during and quiet-after phases. */
  phaseLoad: { quiet: number; during: number; quietAfter: number }
  /** During-sweep p99 ÷ quiet p99 before the sweep (target ≤ 2). */
  p99Ratio: number
  /** During-sweep p99 ÷ quiet p99 after the sweep. */
  p99RatioAfter: number
  /** What deleteExpiredTokens() returned. */
  deleted: number
  /** Expired rows still in the tables afterwards (0), and live sessions left (all). */
  expiredLeft: number
  liveLeft: number
  sweepSeconds: number
  rowsPerSecond: number
  /** DELETE statements the sweep sent, the slowest of them, and how many took the deadline or longer (0). */
  statements: number
  slowestStatementMs: number
  /** Median DELETE time over the first and the last tenth of the statements: whether batches slow down as dead rows pile up. */
  firstTenthMedianMs: number
  lastTenthMedianMs: number
  statementsOverDeadline: number
  /** Validations of live sessions that answered null or threw, in every phase (0). */
  rejected: number
  /** The code of the error the sweep ended with, if it did. */
  sweepError?: string
}

/** Fills `table`'s expired rows `fillChunk` per statement, so no one insert runs for minutes. */
async function fill(pool: pg.Pool, rows: number, insert: string): Promise<void> {
  for (let from = 1; from <= rows; from += fillChunk) await pool.query(insert, [from, Math.min(rows, from + fillChunk - 1)])
}

/**
 * Fills, measures quiet, sweeps under load, checks what is left.
 *
 * @example
 * ```ts
 * const r = await measureSweep({ expiredSessions: 20_000, expiredRefreshTokens: 10_000, quietMs: 500 })
 * r.deleted === 30_000 && r.p99Ratio
 * ```
 */
export async function measureSweep({
  expiredSessions = 7_000_000, expiredRefreshTokens = 3_000_000, liveSessions = 100, clients = 100, quietMs = 3_000, log = console.log,
} = {}): Promise<SweepResult> {
  const database = await createServerDatabase('bench_sweep')
  const pool = new pg.Pool({ connectionString: database.url, max: 20 })
  pool.on('error', () => {})
  try {
    const t0 = performance.now()
    // Expired a day ago (sessions) or rotated a year ago (refresh tokens); 50 000 users, as a neglected table holds them.
    await fill(pool, expiredSessions, `insert into auth_session (id, auth_user_id, method, scope_names, secret_hash, created_at, last_used_at, expires_at)
      select gen_random_uuid(), 'old-' || (g % 50000), 'email', '{}', decode(md5(g::text), 'hex'), now() - interval '2 days', now() - interval '2 days', now() - interval '1 day'
      from generate_series($1::int, $2::int) g`)
    await fill(pool, expiredRefreshTokens, `insert into auth_refresh_token (id, auth_user_id, method, scope_names, fixed_secret_hash, rotating_secret_hash, created_at, last_updated_at)
      select gen_random_uuid(), 'old-' || (g % 50000), 'email', '{}', decode(md5(g::text), 'hex'), decode(md5((-g)::text), 'hex'), now() - interval '1 year', now() - interval '1 year'
      from generate_series($1::int, $2::int) g`)
    // A table that has lived is vacuumed and analysed: the sweep should not pay for the fill's hint bits.
    await pool.query('vacuum analyze auth_session, auth_refresh_token')
    const fillSeconds = (performance.now() - t0) / 1000
    log(`  sweep: filled ${(expiredSessions + expiredRefreshTokens).toLocaleString('en-US')} expired rows in ${fillSeconds.toFixed(0)} s`)

    // Every DELETE through this pool is the sweep's: timed from the call, so waiting for a connection counts,
    // as it counts against the store's deadline.
    const deletes: number[] = []
    let sweepStarted = 0
    const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>
    ;(pool as unknown as { query: typeof query }).query = async (...args) => {
      const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string }).text ?? ''
      if (!/^\s*delete/i.test(text)) return query(...args)
      const started = performance.now()
      try {
        return await query(...args)
      } finally {
        deletes.push(performance.now() - started)
        if (deletes.length % 250 === 0) log(`  sweep: ${deletes.length} statements, ${((performance.now() - sweepStarted) / 1000).toFixed(0)} s, this one ${deletes.at(-1)!.toFixed(0)} ms`)
      }
    }

    // Default deadline; lastUsedAt writes off (interval 1 day), so the validators only read.
    const auth = initializeAuthServices({ store: drizzleTokenStore(drizzle(pool)), tokenManagerBuilders: [jwtConfig(), sessionsConfig({ lastUsedAtUpdateInterval: '1d' })] })
    await auth.ready
    const sessions = auth.getTokenManager(ServerSideSessionsTokenManager)
    const live = await Promise.all(Array.from({ length: liveSessions }, (_, i) => sessions.issueToken({ authUserId: `live-${i}`, method: 'email' })))
    let rejected = 0
    const validate = async (client: number, i: number) => {
      const answer = await sessions.validateToken(live[(client + i) % live.length]!.token).catch(() => null)
      if (!answer) rejected++
    }
    await closedLoop(clients, Math.min(500, quietMs), validate) // warm: every pool connection open
    const quiet = await closedLoop(clients, quietMs, validate)
    const quietLoad = loadavg()[0]!
    log(`  sweep: quiet p50 ${quiet.p50Ms.toFixed(2)} ms, p99 ${quiet.p99Ms.toFixed(2)} ms`)

    let sweeping = true
    let sweepError: string | undefined
    const started = (sweepStarted = performance.now())
    const sweep = auth.tokenManager.deleteExpiredTokens()
      .catch((error: unknown) => ((sweepError = error instanceof EdgeTokenError ? error.code : String(error)), 0))
      .finally(() => (sweeping = false))
    const during = await closedLoop(clients, Number.POSITIVE_INFINITY, validate, () => !sweeping)
    const deleted = await sweep
    const sweepSeconds = (performance.now() - started) / 1000
    const duringLoad = loadavg()[0]!
    const quietAfter = await closedLoop(clients, quietMs, validate)
    log(`  sweep: ${deleted.toLocaleString('en-US')} rows in ${sweepSeconds.toFixed(1)} s, p99 during ${during.p99Ms.toFixed(2)} ms`)

    const { rows: [left] } = await pool.query(`select
      (select count(*) from auth_session where auth_user_id like 'old-%')::int + (select count(*) from auth_refresh_token)::int as expired,
      (select count(*) from auth_session where auth_user_id like 'live-%')::int as live`)
    const tenth = Math.max(1, Math.floor(deletes.length / 10))
    const middle = (timings: number[]) => percentile(timings.sort((a, b) => a - b), 50)
    const [firstTenthMedianMs, lastTenthMedianMs] = [middle(deletes.slice(0, tenth)), middle(deletes.slice(-tenth))]
    deletes.sort((a, b) => a - b)
    return {
      firstTenthMedianMs, lastTenthMedianMs,
      expiredSessions, expiredRefreshTokens, liveSessions, clients, fillSeconds, quiet, during, quietAfter,
      phaseLoad: { quiet: quietLoad, during: duringLoad, quietAfter: loadavg()[0]! },
      p99Ratio: during.p99Ms / quiet.p99Ms, p99RatioAfter: during.p99Ms / quietAfter.p99Ms, deleted, expiredLeft: left.expired, liveLeft: left.live, sweepSeconds,
      rowsPerSecond: deleted / sweepSeconds, statements: deletes.length, slowestStatementMs: deletes.at(-1) ?? 0,
      statementsOverDeadline: deletes.filter((ms) => ms >= defaultDeadlineMs).length, rejected,
      ...(sweepError !== undefined && { sweepError }),
    }
  } finally {
    await pool.end()
    await database.drop()
  }
}
