// The slow-link bench section, run briefly and untimed: every operation yields timings through the slowed
// proxy, so `npm run bench` keeps measuring real, successful work on a link with latency.
import { describe, expect, it } from 'vitest'
import { measureSlowLink } from '../../bench/scale/slow-link.ts'

describe('bench: slow-link section', () => {
  it('times every operation through the slowed link, each relative to the measured round trip', async () => {
    const results = await measureSlowLink({ delayMs: 2, count: 5, log: () => {} })
    expect(results.map((r) => r.operation)).toEqual(['round trip (select 1)', 'session validate', 'JWT refresh', 'JWT refresh, grace retry', 'JWT issue'])
    // The proxy holds each chunk 2 ms each way, so nothing through it answers in under 4 ms.
    for (const row of results) {
      expect(row.operations, row.operation).toBe(5)
      expect(row.minMs, row.operation).toBeGreaterThanOrEqual(4)
      expect(row.p50Ms, row.operation).toBeGreaterThanOrEqual(row.minMs)
      expect(row.p99Ms, row.operation).toBeGreaterThanOrEqual(row.p50Ms)
      expect(row.roundTrips, row.operation).toBeGreaterThan(0)
    }
    expect(results[0]!.roundTrips).toBe(1)
    expect(results[0]!.minRoundTrips).toBe(1)
  }, 60_000)
})
