// The HTTP benchmark's routes, run briefly and untimed: every route answers 200 (a failed request throws),
// so `npm run bench` keeps measuring real, successful requests as the library changes.
import { describe, expect, it } from 'vitest'
import { httpRoutes, httpTable, measureHttp } from '../../bench/scale/http.ts'

describe('bench: HTTP section', () => {
  it('serves every route successfully through the loopback server', async () => {
    const results = await measureHttp({ levels: [2], durationMs: 150, rows: 1_000, log: () => {} })
    expect(results.map((r) => r.route)).toEqual([...httpRoutes])
    for (const result of results) expect(result.operations, result.route).toBeGreaterThan(0)
    expect(httpTable(results)).toContain('session ÷ floor')
  }, 60_000)
})
