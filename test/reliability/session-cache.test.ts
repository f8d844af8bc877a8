// The validated-session cache across separate processes — separate isolates — on one database, each on
// its own, really skewed, clock: after a revoke commits in one process, a process that had the session
// cached accepts it for at most maxAge (+ 100 ms of slack), in 1 000 trials: no validation that begins
// later than that gets it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServerDatabase } from '../support/postgres.ts'
import { startWorkers, stopWorkers, type Worker } from '../support/processes.ts'

const maxAgeMs = 1_000
const trials = 1_000
const batch = 100

describe('validationCache across processes', () => {
  let database: Awaited<ReturnType<typeof createServerDatabase>>
  let revoker: Worker
  let cached: Worker

  beforeAll(async () => {
    database = await createServerDatabase('session_cache')
    const started = await startWorkers([
      { driver: 'node-postgres', databaseUrl: database.url, clockOffsetMs: 2_500 },
      { driver: 'node-postgres', databaseUrl: database.url, clockOffsetMs: -1_500, session: { validationCache: { maxAge: maxAgeMs, size: 2 * batch } } },
    ])
    ;[revoker, cached] = [started[0]!, started[1]!]
  }, 60_000)
  afterAll(async () => {
    stopWorkers([revoker, cached].filter(Boolean))
    await database?.drop()
  })

  it(`a revoke is seen within maxAge (${maxAgeMs} ms) in ${trials} trials`, async () => {
    const lags: number[] = [] // last acceptance after the revoke completed (≤ 0: none after it)
    for (let done = 0; done < trials; done += batch) {
      const issued = await Promise.all(Array.from({ length: batch }, (_, i) =>
        revoker.send<{ token: string; tokenId: string }>({ op: 'issue', authUserId: `cache-${done + i}`, kind: 'session' })))
      const tokens = issued.map((s) => s.token)
      expect(await cached.send<number>({ op: 'validateAll', tokens })).toBe(batch) // now cached there
      // Revokes spread over one maxAge, so they land at every age of the cached entries.
      const [{ lastAcceptedAt, rejectedAt }, revokedAt] = await Promise.all([
        cached.send<{ lastAcceptedAt: (number | null)[]; rejectedAt: (number | null)[] }>({ op: 'watch', tokens, timeoutMs: 10_000 }),
        revoker.send<number[]>({ op: 'revokeEach', tokenIds: issued.map((s) => s.tokenId), gapMs: maxAgeMs / batch }),
      ])
      rejectedAt.forEach((at, i) => lags.push(at === null ? Infinity : (lastAcceptedAt[i] ?? -Infinity) - revokedAt[i]!))
    }
    const worst = Math.max(...lags)
    expect(lags).toHaveLength(trials)
    expect(worst, `worst lag ${worst} ms`).toBeLessThanOrEqual(maxAgeMs + 100)
    // The cache was really in use: some sessions were still accepted well after their revoke.
    expect(lags.filter((lag) => lag > maxAgeMs / 2).length).toBeGreaterThan(trials / 10)
  }, 120_000)
})
