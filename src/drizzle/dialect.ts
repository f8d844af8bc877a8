import { sql, type SQLWrapper } from 'drizzle-orm'
import type { QueryDatabase, SqlDialect } from '../sql/dialect.ts'
import { storageFailure } from './errors.ts'

/**
 * Postgres' primitives for the shared store: the clock when the statement arrived, times as timestamptz,
 * and callback writes in the insert's own statement.
 *
 * @example
 * ```ts
 * sqlTokenStore(db, postgresDialect, tokenTables())
 * ```
 */
export const postgresDialect: SqlDialect = {
  now: sql`statement_timestamp()`,
  later: (time, ms) => sql`${time} + ${ms} * interval '1 millisecond'`,
  smaller: (a, b) => sql`least(${a}, ${b})`,
  real: (value) => sql`${value}::float8`,
  insertWithWrites,
  classify: storageFailure,
}

/**
 * Inserts a row together with the app's writes in ONE statement (data-modifying CTEs): atomic and a single
 * round trip on every driver, including neon-http, which has no interactive transactions. Postgres checks
 * foreign keys at the end of the statement, so a metadata row may reference the token row it sits beside.
 */
async function insertWithWrites(db: QueryDatabase, insert: SQLWrapper & PromiseLike<unknown>, writes: readonly SQLWrapper[]): Promise<void> {
  if (writes.length === 0) {
    await insert
    return
  }
  // getSQL(): a query builder embedded as-is gets wrapped in parentheses, which WITH does not allow.
  const parts = [sql`with token_row as (${insert.getSQL()})`]
  writes.forEach((write, i) => parts.push(sql`, ${sql.identifier(`app_write_${i}`)} as (${write.getSQL()})`))
  parts.push(sql` select 1`)
  await (db as unknown as { execute(query: SQLWrapper): Promise<unknown> }).execute(sql.join(parts))
}
