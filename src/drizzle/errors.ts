import { StorageError, StorageUnavailableError } from '../managers/errors.ts'

// SQLSTATE classes that mean "try again later", not "this operation is wrong":
// 08 connection exception, 53 insufficient resources, 57P0x shutdown/crash/starting, 40001/40P01 races.
const retryableSqlState = /^(08|53|57P0[1-3]|40001|40P01)/

function sqlStateOf(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code
  }
  return undefined
}

/** The deepest cause: the driver's own error. Drizzle's wrapper quotes the query parameters (hashes). */
function driverErrorOf(error: unknown): unknown {
  let e = error
  while (e && typeof e === 'object' && (e as { cause?: unknown }).cause) e = (e as { cause?: unknown }).cause
  return e
}

/**
 * Turns any database failure into a typed error that is safe to log. No SQLSTATE at all means the
 * database was not reached (refused, reset, fetch failed, closed): unavailable, retryable.
 */
export function storageFailure(error: unknown): StorageError | StorageUnavailableError {
  const sqlState = sqlStateOf(error)
  const cause = { cause: driverErrorOf(error) }
  if (sqlState === undefined || retryableSqlState.test(sqlState)) return new StorageUnavailableError(cause)
  return new StorageError(sqlState, cause)
}
