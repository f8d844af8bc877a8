// A database 20 ms away: node-postgres (one pool) reaches the local Postgres through a TCP proxy that holds
// every chunk back `delayMs` each way, as a region away would. Each operation runs one at a time and is
// timed; its p50 over the measured round trip (a raw `select 1` through the same pool) is the number of
// round trips it costs, which on a slow link is most of its latency. A refresh should cost one, not two.
import { drizzle } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import { drizzleTokenStore } from '../../src/drizzle/index.ts'
import { initializeAuthServices, JwtTokenManager, ServerSideSessionsTokenManager } from '../../src/index.ts'
import { jwtConfig, sessionsConfig } from '../../test/support/auth.ts'
import { createServerDatabase } from '../../test/support/postgres.ts'
import { startTcpProxy } from '../../test/support/tcp-proxy.ts'
import { percentile } from './latency.ts'

export interface SlowLinkResult {
  operation: 'round trip (select 1)' | 'session validate' | 'JWT refresh' | 'JWT refresh, grace retry' | 'JWT issue'
  operations: number
  /** The fastest call: the least disturbed by a busy machine, so the clearest count of round trips. */
  minMs: number
  p50Ms: number
  p99Ms: number
  /** p50 ÷ the measured round trip's p50: round trips the operation costs. */
  roundTrips: number
  /** The same with the fastest calls: min ÷ the round trip's min. */
  minRoundTrips: number
}

/** Times `count` sequential calls after `warm` untimed ones. */
async function sequential(count: number, operation: (i: number) => Promise<unknown>, warm = 5): Promise<number[]> {
  for (let i = 0; i < warm; i++) await operation(-1 - i)
  const timings: number[] = []
  for (let i = 0; i < count; i++) {
    const t0 = performance.now()
    await operation(i)
    timings.push(performance.now() - t0)
  }
  return timings.sort((a, b) => a - b)
}

/**
 * Measures each operation through a link of `delayMs` each way.
 *
 * @example
 * ```ts
 * const rows = await measureSlowLink({ delayMs: 10, count: 50 })
 * rows.find((r) => r.operation === 'JWT refresh')!.roundTrips // ≈ 1
 * ```
 */
export async function measureSlowLink({ delayMs = 10, count = 50, log = console.log } = {}): Promise<SlowLinkResult[]> {
  const database = await createServerDatabase('bench_slow_link')
  const target = new URL(database.url)
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) })
  target.port = String(proxy.port)
  // Sequential work needs one connection; a few, so a pool refill never lands inside a timing.
  const pool = new pg.Pool({ connectionString: target.toString(), max: 2 })
  pool.on('error', () => {})
  try {
    // Connections are opened before the link slows down: the handshake is not what is measured.
    await Promise.all([pool.connect(), pool.connect()]).then((clients) => clients.forEach((c) => c.release()))
    proxy.setDelay(delayMs)
    proxy.setMode('slow')
    // lastUsedAt writes off (interval 1 day): the read path; a grace window wide enough for a slow run.
    const auth = initializeAuthServices({
      store: drizzleTokenStore(drizzle(pool)),
      tokenManagerBuilders: [jwtConfig({ refreshTokenRotationGracePeriod: '10m' }), sessionsConfig({ lastUsedAtUpdateInterval: '1d' })],
    })
    await auth.ready
    const sessions = auth.getTokenManager(ServerSideSessionsTokenManager)
    const jwt = auth.getTokenManager(JwtTokenManager)
    const session = await sessions.issueToken({ authUserId: 'slow-session', method: 'email' })
    let refreshToken = (await jwt.issueToken({ authUserId: 'slow-chain', method: 'email' })).refreshToken!
    // The grace retry presents one spent token again and again: its successor was handed out once already.
    const spent = (await jwt.issueToken({ authUserId: 'slow-retry', method: 'email' })).refreshToken!
    await jwt.refreshAccessToken(spent)

    const cases: [SlowLinkResult['operation'], (i: number) => Promise<unknown>][] = [
      ['round trip (select 1)', () => pool.query('select 1')],
      ['session validate', async () => {
        if (!(await sessions.validateToken(session.token))) throw new Error('session did not validate')
      }],
      ['JWT refresh', async () => (refreshToken = (await jwt.refreshAccessToken(refreshToken)).refreshToken!)],
      ['JWT refresh, grace retry', () => jwt.refreshAccessToken(spent)],
      ['JWT issue', (i) => jwt.issueToken({ authUserId: `slow-issue-${i}`, method: 'email' })],
    ]
    const measured: Omit<SlowLinkResult, 'roundTrips' | 'minRoundTrips'>[] = []
    for (const [operation, run] of cases) {
      const timings = await sequential(count, run)
      measured.push({ operation, operations: timings.length, minMs: timings[0]!, p50Ms: percentile(timings, 50), p99Ms: percentile(timings, 99) })
      log(`  slow-link ${operation}: p50 ${measured.at(-1)!.p50Ms.toFixed(1)} ms`)
    }
    const { p50Ms: roundTrip, minMs: fastest } = measured[0]!
    return measured.map((r) => ({ ...r, roundTrips: r.p50Ms / roundTrip, minRoundTrips: r.minMs / fastest }))
  } finally {
    proxy.setMode('open')
    await pool.end()
    await proxy.close()
    await database.drop()
  }
}
