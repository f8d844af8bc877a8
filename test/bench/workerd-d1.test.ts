// The D1-in-workerd bench section, run briefly and untimed: every store and operation completes (a failed
// operation throws inside the Worker) and yields latency, throughput and its round trips.
import { describe, expect, it } from 'vitest'
import { d1Operations } from '../../bench/workerd/d1-operations.ts'
import { measureWorkerdD1 } from '../../bench/workerd/d1.ts'

describe('bench: D1 in workerd section', () => {
  it('measures every operation on D1 and on Postgres (neon-http), with round trips and statements', async () => {
    const results = await measureWorkerdD1({ rounds: 1, count: 5, log: () => {} })
    expect(results.map((r) => r.store)).toEqual([...d1Operations.map(() => 'D1 (binding)'), ...d1Operations.map(() => 'Postgres (neon-http)')])
    for (const r of results) {
      const label = `${r.store} ${r.operation}`
      expect(r.operations, label).toBe(5)
      expect(r.wallMeanMs, label).toBeGreaterThan(0)
      expect(Number.isFinite(r.meanMs) && Number.isFinite(r.p99Ms), label).toBe(true)
      // Every operation reaches its database; none takes more than the documented budget (refresh ≤ 2).
      expect(r.roundTrips, label).toBeGreaterThanOrEqual(1)
      expect(r.maxRoundTrips, label).toBeLessThanOrEqual(2)
      expect(r.statements, label).toBeGreaterThanOrEqual(r.roundTrips)
    }
    const d1 = Object.fromEntries(results.filter((r) => r.store === 'D1 (binding)').map((r) => [r.operation, r.maxRoundTrips]))
    expect(d1).toMatchObject({ 'session validate': 1, 'session issue': 1, 'session list': 1 })
  }, 120_000)
})
