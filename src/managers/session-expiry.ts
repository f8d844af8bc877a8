import type { SessionRow } from './storage.ts'

// lastUsedAt is written at most every `lastUsedAtUpdateInterval`, and at least every timeout / 20: so it lags
// real use by ≤ 5 % of the inactivity timeout, which the expiry rule adds back. A session in use is never
// rejected; an idle one dies after its timeout plus at most that 5 %.
export const touchIntervalDivisor = 20

/** What the expiry rule reads of a session. */
export type SessionTimes = Pick<SessionRow, 'lastUsedAt' | 'expiresAt' | 'expireAfterUnusedFor'>

/**
 * The expiry rule of a session in one place: when its lastUsedAt is due to be written again, and when it dies.
 *
 * @example
 * ```ts
 * const expiry = new SessionExpiry(60_000)
 * if (expiry.expired(row, now)) await store.deleteSession(row.id)
 * ```
 */
export class SessionExpiry {
  readonly lastUsedAtUpdateInterval: number

  constructor(lastUsedAtUpdateInterval: number) {
    this.lastUsedAtUpdateInterval = lastUsedAtUpdateInterval
  }

  /** How often this session's lastUsedAt is written while it is in use. */
  touchInterval(row: SessionTimes): number {
    const configured = this.lastUsedAtUpdateInterval
    return row.expireAfterUnusedFor === null ? configured : Math.min(configured, row.expireAfterUnusedFor / touchIntervalDivisor)
  }

  /** The earlier of the absolute expiry and the inactivity deadline (timeout plus the lag of lastUsedAt). */
  expiresAt(row: SessionTimes): Date | null {
    const idle = row.expireAfterUnusedFor === null ? null : row.lastUsedAt.getTime() + row.expireAfterUnusedFor + this.touchInterval(row)
    const absolute = row.expiresAt?.getTime() ?? null
    if (idle === null && absolute === null) return null
    return new Date(Math.min(idle ?? Infinity, absolute ?? Infinity))
  }

  expired(row: SessionTimes, now: Date): boolean {
    const deadline = this.expiresAt(row)
    return deadline !== null && deadline <= now
  }
}
