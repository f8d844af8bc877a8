import { StorageError, StorageUnavailableError } from '../managers/errors.ts'
import { safeCause } from '../sql/safe-cause.ts'

// Result codes that mean "try again later": another writer holds the lock, the disk or the link failed.
const retryableCode = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|NOMEM|INTERRUPT|PROTOCOL)/
// D1's own transient failures carry no SQLite code, only words (Cloudflare lists them as retryable).
const d1Transient = /Network connection lost|overloaded|transient|exceeded timeout|timed out|Too many requests|reset because|Internal error|Cannot resolve D1/i

/** The most specific SQLite result code anywhere in the error: a `code`/`extendedCode` field (better-sqlite3, libSQL, bun:sqlite) or D1's text. */
function sqliteCodeOf(error: unknown): string | undefined {
  const messages: string[] = []
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, extendedCode, message } = e as { code?: unknown; extendedCode?: unknown; message?: unknown }
    for (const candidate of [extendedCode, code]) if (typeof candidate === 'string' && candidate.startsWith('SQLITE_')) return candidate
    if (typeof message === 'string') messages.push(message)
  }
  // D1: "UNIQUE constraint failed: t.id: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE)"
  const text = messages.join('\n')
  return /\(extended: (SQLITE_[A-Z_]+)\)/.exec(text)?.[1] ?? /\b(SQLITE_[A-Z_]+)\b/.exec(text)?.[1] ?? /\b(D1_(?!ERROR\b)[A-Z_]+)\b/.exec(text)?.[1]
}

const messageOf = (error: unknown): string => {
  const parts: string[] = []
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) parts.push(String((e as Error).message ?? ''))
  return parts.join('\n')
}

const migrate = 'apply the migrations in drizzle/sqlite/ (`wrangler d1 migrations apply`, or drizzle-orm\'s migrator).'
function schemaHint(message: string): string | undefined {
  const table = /no such table: ([\w.]+)/.exec(message)?.[1]
  if (table) return `The table ${table} does not exist: ${migrate}`
  const column = /no such column: ([\w.]+)|has no column named (\w+)/.exec(message)?.slice(1).find(Boolean)
  if (column) return `The column ${column} does not exist, so the tables are older than this library: ${migrate}`
  return undefined
}

/**
 * Turns any SQLite or D1 failure into a typed error that is safe to log: busy, locked, I/O and D1's
 * transient errors are "unavailable" (retry later), as is an error with no code at all (the database was
 * not reached); every other code (constraints, a missing table) is a `StorageError` naming it.
 *
 * @example
 * ```ts
 * try { await db.run(sql`select 1`) } catch (error) { throw sqliteFailure(error) }
 * ```
 */
export function sqliteFailure(error: unknown): StorageError | StorageUnavailableError {
  const cause = safeCause(error)
  const message = messageOf(error)
  const code = sqliteCodeOf(error)
  if (code === undefined || retryableCode.test(code) || d1Transient.test(message)) return new StorageUnavailableError({ cause })
  const hint = schemaHint(message)
  return new StorageError(undefined, { cause, driverCode: code, ...(hint && { hint }) })
}
