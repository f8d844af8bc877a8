import type { SQL, SQLWrapper } from 'drizzle-orm'
import type { ClassifyFailure } from './deadline.ts'

/**
 * Any Drizzle database, as the shared store code calls it: the query builders both dialects share. Each
 * dialect's store keeps its own precise type (`AnyPgDatabase`, `AnySQLiteDatabase`) at the public edge.
 */
export interface QueryDatabase {
  select(fields: Record<string, unknown>): any
  insert(table: any): any
  update(table: any): any
  delete(table: any): any
}

/**
 * What differs between SQL dialects, and nothing else: every rule (expiry, touch, compare-and-swap,
 * filters, deadline) is written once over these.
 *
 * @example
 * ```ts
 * sql`${dialect.later(table.lastUsedAt, sql`${60_000}`)} <= ${dialect.now}`
 * ```
 */
export interface SqlDialect {
  /** The database's clock, read inside the statement, in the form the time columns hold. */
  readonly now: SQL
  /** `time` plus `ms` milliseconds, both as SQL. */
  later(time: SQLWrapper, ms: SQLWrapper): SQL
  /** The smaller of two numbers. */
  smaller(a: SQLWrapper, b: SQLWrapper): SQL
  /** A number that divides as a real, never as an integer. */
  real(value: number): SQL
  /**
   * Runs the insert and the app's writes atomically: all commit or none. Each dialect has its own tool
   * (one statement with CTEs on Postgres, a batch or a transaction on SQLite).
   */
  insertWithWrites(db: QueryDatabase, insert: SQLWrapper & PromiseLike<unknown>, writes: readonly SQLWrapper[]): Promise<void>
  /** Typed error for a driver failure: unavailable (retry later) or rejected, with a cause safe to log. */
  readonly classify: ClassifyFailure
}
