import { StorageError, StorageUnavailableError } from '../managers/errors.ts'
import { safeCause } from '../sql/safe-cause.ts'

// SQLSTATE classes that mean "try again later", not "this operation is wrong": 08 connection exception,
// 53 insufficient resources, 57014 statement timeout (or cancel), 57P0x shutdown/crash/starting,
// 55P03 lock timeout, 40001/40P01 races.
const retryableSqlState = /^(08|53|57014|57P0[1-3]|55P03|40001|40P01)/

// A SQLSTATE's class starts with a digit or F, H, P, X. Node's errno names (EPIPE, ESRCH, …) are five
// capitals too, but start with E: a socket error must stay "unavailable", not become "rejected".
const sqlStatePattern = /^[0-9FHPX][0-9A-Z]{4}$/

function sqlStateOf(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && sqlStatePattern.test(code)) return code
  }
  return undefined
}

/**
 * Turns any Postgres failure into a typed error that is safe to log. No SQLSTATE at all means the
 * database was not reached (refused, reset, fetch failed, closed): unavailable, retryable.
 *
 * @example
 * ```ts
 * try { await db.execute(sql`select 1`) } catch (error) { throw storageFailure(error) }
 * ```
 */
export function storageFailure(error: unknown): StorageError | StorageUnavailableError {
  const sqlState = sqlStateOf(error)
  const cause = safeCause(error)
  if (sqlState === undefined || retryableSqlState.test(sqlState)) return new StorageUnavailableError({ cause })
  return new StorageError(sqlState, { cause, ...(schemaHints[sqlState] && { hint: schemaHints[sqlState](cause) }) })
}

// The library's tables missing (42P01) or older than the library (42703): say which, and what fixes it.
const relation = (cause: unknown) => /relation "([\w.]+)"|column "([\w.]+)"/.exec((cause as Error | undefined)?.message ?? '')?.slice(1).find(Boolean)
const migrate = 'run `npx edge-token-managers migrate` (or apply the migrations in its drizzle/ folder).'
const schemaHints: Record<string, (cause: unknown) => string> = {
  '42P01': (cause) => `The table ${relation(cause) ?? 'auth_refresh_token or auth_session'} does not exist: ${migrate}`,
  '42703': (cause) => `The column ${relation(cause) ?? ''} does not exist, so the tables are older than this library: ${migrate}`,
}
