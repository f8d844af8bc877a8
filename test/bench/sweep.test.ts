// The sweep bench section at a tiny size, untimed: the sweep under load deletes every expired row, leaves
// every live session, and no validation of a live session is refused meanwhile.
import { describe, expect, it } from 'vitest'
import { measureSweep } from '../../bench/scale/sweep.ts'

describe('bench: sweep section', () => {
  it('sweeps every expired row while the validators run, and reports sane numbers', async () => {
    const r = await measureSweep({ expiredSessions: 14_000, expiredRefreshTokens: 6_000, liveSessions: 20, clients: 10, quietMs: 300, log: () => {} })
    expect(r.sweepError).toBeUndefined()
    expect(r.deleted).toBe(20_000)
    expect(r.expiredLeft).toBe(0)
    expect(r.liveLeft).toBe(20)
    expect(r.rejected).toBe(0)
    // 14 000 sessions in batches of 5 000 take 3 statements, 6 000 refresh tokens 2.
    expect(r.statements).toBe(5)
    expect(r.statementsOverDeadline).toBe(0)
    expect(r.quiet.operations).toBeGreaterThan(0)
    expect(r.during.operations).toBeGreaterThan(0)
    expect(r.quietAfter.operations).toBeGreaterThan(0)
    expect(r.p99Ratio).toBeGreaterThan(0)
    expect(r.p99RatioAfter).toBeGreaterThan(0)
    expect(r.rowsPerSecond).toBeGreaterThan(0)
  }, 120_000)
})
