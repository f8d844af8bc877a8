// The SQLite bench section, run briefly and untimed: every database and operation yields timings, so
// `npm run bench` keeps measuring real, successful work.
import { describe, expect, it } from 'vitest'
import { measureSqlite } from '../../bench/scale/sqlite.ts'

describe('bench: SQLite section', () => {
  it('measures every operation on every database, and the row growth', async () => {
    const { latency, rows } = await measureSqlite({ count: 5, sizes: [200], log: () => {} })
    expect(new Set(latency.map((r) => r.database)).size).toBe(4)
    for (const row of latency) expect(row.p50Ms, `${row.database} ${row.operation}`).toBeGreaterThan(0)
    expect(rows).toEqual([expect.objectContaining({ rows: 200 })])
  }, 120_000)
})
