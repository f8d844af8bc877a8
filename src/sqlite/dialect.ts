import { is, sql, SQL, type SQLWrapper } from 'drizzle-orm'
import type { QueryDatabase, SqlDialect } from '../sql/dialect.ts'
import { sqliteFailure } from './errors.ts'

/** What `insertWithWrites` uses of a Drizzle SQLite database, beside the query builders. */
interface SQLiteRunner extends QueryDatabase {
  run(query: SQLWrapper): unknown
  transaction(run: (tx: SQLiteRunner) => unknown): unknown
  batch?: (queries: unknown[]) => Promise<unknown>
}

/**
 * SQLite's primitives for the shared store: the database's clock as integer milliseconds (`unixepoch('subsec')`
 * needs SQLite 3.42: D1, libSQL, better-sqlite3 12 and Bun have it), times as integer milliseconds (D1 binds no
 * Date), and callback writes in one batch or one transaction.
 *
 * @example
 * ```ts
 * sqlTokenStore(db, sqliteDialect, tokenTables())
 * ```
 */
export const sqliteDialect: SqlDialect = {
  now: sql`cast(unixepoch('subsec') * 1000 as integer)`,
  later: (time, ms) => sql`(${time} + ${ms})`,
  smaller: (a, b) => sql`min(${a}, ${b})`,
  real: (value) => sql`cast(${value} as real)`,
  insertWithWrites,
  classify: sqliteFailure,
}

/**
 * Runs the insert and the app's writes all-or-nothing, in one round trip where the driver allows: `batch()`
 * on D1 and libSQL (D1 refuses BEGIN; a batch is its transaction), a synchronous transaction on
 * better-sqlite3, bun:sqlite and Durable Objects, an interactive one elsewhere.
 */
async function insertWithWrites(db: QueryDatabase, insert: SQLWrapper & PromiseLike<unknown>, writes: readonly SQLWrapper[]): Promise<void> {
  if (writes.length === 0) {
    await insert
    return
  }
  const runner = db as SQLiteRunner
  // Drizzle's private flag: synchronous drivers run the whole transaction inside one call.
  const sync = (db as { resultKind?: unknown }).resultKind === 'sync'
  const queries = [insert, ...writes]
  if (!sync && typeof runner.batch === 'function') {
    // A batch takes query builders; a bare sql`` becomes one through run().
    await runner.batch(queries.map((query) => (is(query, SQL) ? runner.run(query) : query)))
  } else if (sync) {
    runner.transaction((tx) => queries.forEach((query) => tx.run(query)))
  } else {
    await runner.transaction(async (tx) => {
      for (const query of queries) await tx.run(query)
    })
  }
}
