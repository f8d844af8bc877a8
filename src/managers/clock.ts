import { ConfigError } from '../crypto/errors.ts'
import type { Clock } from './types.ts'

/**
 * The two clocks a manager reads. The app server's clock signs and checks access tokens (stateless, with
 * `clockTolerance`). Stored state — the refresh grace window, session inactivity, expiry of stored tokens —
 * is decided on the database's clock, the one clock every isolate shares: each read returns it (`readAt`).
 * A clock injected for tests replaces both, so tests can move time instead of sleeping.
 */
export interface ManagerClock {
  /** The app server's time, for access token `iat`/`exp`. */
  now(): Date
  /** The time stored-state rules use for a row read at `readAt` (database clock). */
  at(readAt: Date): Date
  /** The time to stamp a new row with; `null` lets the database stamp it. */
  stamp(): Date | null
}

/** Reads a clock, failing closed: an `Invalid Date` would make every expiry comparison false, i.e. "valid". */
function checked(clock: Clock): Date {
  const now = clock()
  if (!(now instanceof Date) || !Number.isFinite(now.getTime())) throw new ConfigError('clock must return a valid Date.')
  return now
}

export function managerClock(injected: Clock | undefined): ManagerClock {
  if (injected) return { now: () => checked(injected), at: () => checked(injected), stamp: () => checked(injected) }
  const system = () => new Date()
  return { now: () => checked(system), at: (readAt) => checked(() => readAt), stamp: () => null }
}
