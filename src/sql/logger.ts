import { StorageError, type StorageUnavailableError } from '../managers/errors.ts'

/** What a store's logger receives with each line: the typed error's code and the driver's cause, safe to log. */
export interface StorageFailureDetails {
  /** `ERR_STORAGE` (the database refused the operation) or `ERR_STORAGE_UNAVAILABLE` (not reached, or too slow). */
  code: 'ERR_STORAGE' | 'ERR_STORAGE_UNAVAILABLE'
  /** The database's own code when it gave one: a SQLSTATE on Postgres, `SQLITE_…` on SQLite. */
  driverCode?: string
  /** The driver's error without parameters or quoted values; absent when the deadline passed first. */
  cause?: Error
}

/**
 * Where a store reports the cause of a storage failure; `console` fits. Each distinct cause is reported
 * once per logger, so a database that stays down does not flood the log.
 *
 * @example
 * ```ts
 * drizzleTokenStore(db, { logger: { error: (message, details) => log.warn({ ...details }, message) } })
 * ```
 */
export interface StoreLogger {
  error(message: string, details: StorageFailureDetails): void
}

/**
 * The default: one line on the console (the cause's stack is left out: it would be many).
 *
 * @example
 * ```ts
 * reportFailure(consoleLogger, failure) // console.error('edge-token-managers: token store failed (…): …')
 * ```
 */
export const consoleLogger: StoreLogger = { error: (message) => console.error(message) }

// Per logger, so stores created per request (common on Workers) share one memory of what was said.
const reported = new WeakMap<StoreLogger, Set<string>>()
const maxRemembered = 256

/** The one line a failure is logged as: no secret, token, hash or query parameter can be in it. */
function describe(failure: StorageError | StorageUnavailableError): string {
  const cause = failure.cause instanceof Error ? failure.cause : undefined
  const driverCode = (cause as { code?: unknown } | undefined)?.code
  const because = cause ? `: ${cause.name}: ${cause.message}${typeof driverCode === 'string' && !cause.message.includes(driverCode) ? ` [${driverCode}]` : ''}` : ''
  return `edge-token-managers: token store failed (${failure.code})${because}`
}

/**
 * Reports `failure` to `logger` unless this logger already heard the same cause.
 *
 * @example
 * ```ts
 * reportFailure(consoleLogger, new StorageUnavailableError({ cause }))
 * ```
 */
export function reportFailure(logger: StoreLogger, failure: StorageError | StorageUnavailableError): void {
  const message = describe(failure)
  let seen = reported.get(logger)
  if (!seen) reported.set(logger, (seen = new Set()))
  if (seen.has(message)) return
  if (seen.size >= maxRemembered) seen.clear()
  seen.add(message)
  const cause = failure.cause instanceof Error ? failure.cause : undefined
  const driverCode = failure instanceof StorageError ? failure.driverCode : undefined
  try {
    logger.error(message, { code: failure.code as StorageFailureDetails['code'], ...(driverCode && { driverCode }), ...(cause && { cause }) })
  } catch {
    // A broken logger must not turn a storage error into a different one.
  }
}
