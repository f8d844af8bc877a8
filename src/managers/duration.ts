import { ConfigError } from '../crypto/errors.ts'
import type { Duration } from './types.ts'

const unitMs = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const
/**
 * 10 years. Every duration ends up added to a stored timestamp: a larger one overflows Postgres' range
 * (SQLSTATE 22008) and would break `deleteExpiredTokens()` for the whole table.
 */
export const maxDurationMs = 3_650 * unitMs.d

/**
 * Milliseconds from a {@link Duration}. `option` names the setting in the error message.
 */
export function toMilliseconds(value: Duration, option: string, { allowZero = false } = {}): number {
  let ms: number
  if (typeof value === 'number') ms = value
  else {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(value)
    if (!match) throw new ConfigError(`${option} must be milliseconds or a string like '30s', '10m', '14d'.`)
    ms = Number(match[1]) * unitMs[match[2] as keyof typeof unitMs]
  }
  if (!Number.isFinite(ms) || ms < 0 || (!allowZero && ms === 0)) {
    throw new ConfigError(`${option} must be ${allowZero ? 'zero or more' : 'greater than zero'}.`)
  }
  if (ms > maxDurationMs) throw new ConfigError(`${option} must be at most 3650 days ('3650d').`)
  return ms
}
