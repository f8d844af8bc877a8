import { and, eq, not, or, sql, type Column, type SQL, type SQLWrapper } from 'drizzle-orm'
import { ConfigError } from '../managers/errors.ts'
import type { RotateRefreshToken, RowFilter } from '../managers/storage.ts'
import type { SqlDialect } from './dialect.ts'

// The stored-state rules, each written once for every dialect and every table layout (the library's own
// tables under any name, Serverpod's). Times are compared on the database's clock (`dialect.now`) unless
// the manager passes one.

/**
 * A time the manager passes, or (null) the database's clock when the statement runs; encoded as `column` holds times.
 *
 * @example
 * ```ts
 * db.insert(table).values({ createdAt: timeParam(dialect, null, table.createdAt) }) // stamped by the database
 * ```
 */
export function timeParam(dialect: SqlDialect, at: Date | null, column: Column): SQL {
  return at === null ? dialect.now : sql`${sql.param(at, column)}`
}

/**
 * The expiry rule of refresh tokens: last rotated `lifetimeMs` or longer before `at`.
 *
 * @example
 * ```ts
 * db.delete(rt).where(refreshTokenExpired(dialect, rt.lastUpdatedAt, 14 * 86_400_000, dialect.now))
 * ```
 */
export function refreshTokenExpired(dialect: SqlDialect, lastUpdatedAt: SQLWrapper, lifetimeMs: number, at: SQL): SQL {
  return sql`${dialect.later(lastUpdatedAt, sql`${lifetimeMs}`)} <= ${at}`
}

/**
 * The manager's session expiry rule: past `expiresAt`, or idle for the timeout plus the touch interval by
 * which lastUsedAt may lag.
 *
 * @example
 * ```ts
 * const columns = { expiresAt: s.expiresAt, lastUsedAt: s.lastUsedAt, timeoutMs: s.expireAfterUnusedForMs }
 * db.delete(s).where(sessionExpired(dialect, columns, dialect.now, { maxTouchIntervalMs: 60_000, touchIntervalDivisor: 10 }))
 * ```
 */
export function sessionExpired(
  dialect: SqlDialect,
  columns: { expiresAt: SQLWrapper; lastUsedAt: SQLWrapper; timeoutMs: SQLWrapper },
  at: SQL,
  { maxTouchIntervalMs, touchIntervalDivisor }: { maxTouchIntervalMs: number; touchIntervalDivisor: number },
): SQL | undefined {
  const { expiresAt, lastUsedAt, timeoutMs } = columns
  const slack = dialect.smaller(dialect.real(maxTouchIntervalMs), sql`${timeoutMs} / ${dialect.real(touchIntervalDivisor)}`)
  return or(sql`${expiresAt} <= ${at}`, sql`${dialect.later(lastUsedAt, sql`(${timeoutMs} + ${slack})`)} <= ${at}`)
}

/**
 * Rows of one user (or every user, null) and optionally one method.
 *
 * @example
 * ```ts
 * db.delete(rt).where(byFilter(rt, { authUserId: 'user-1', method: 'email' }))
 * ```
 */
export function byFilter(columns: { authUserId: Column; method: Column }, { authUserId, method }: RowFilter, userId: (id: string) => unknown = (id) => id): SQL | undefined {
  return and(
    authUserId === null ? undefined : eq(columns.authUserId, userId(authUserId)),
    method === undefined ? undefined : eq(columns.method, method),
  )
}

/** The columns a rotation reads and writes. */
export interface RotatingColumns {
  id: Column
  rotatingSecretHash: Column
  previousRotatingSecretHash: Column
  fixedSecretHash: Column
  lastUpdatedAt: Column
}

/**
 * The compare-and-swap of a rotation as one UPDATE's `set` and `where`. One statement, so the database
 * serialises it (Postgres' row lock, SQLite's single writer). A caller that lost the race sees the
 * committed row and, inside the grace window only, matches the second branch: it gets the row unchanged.
 * Strict mode (grace 0) has no second branch, so exactly one caller swaps. With `unread` the statement also
 * checks the fixed secret and expiry, so a refresh with nothing wrong is this one round trip.
 *
 * @example
 * ```ts
 * const { set, where } = rotation(dialect, rt, change)
 * const [row] = await db.update(rt).set(set).where(where).returning()
 * ```
 */
export function rotation(dialect: SqlDialect, rt: RotatingColumns, change: RotateRefreshToken): { set: Record<string, SQL>; where: SQL | undefined } {
  const { id, expectedHash, newHash, newFixedHash, unread, gracePeriodMs } = change
  const at = timeParam(dialect, change.rotatedAt, rt.lastUpdatedAt)
  // Comparing peppered hashes in SQL is not constant time, and need not be: without the pepper nobody can
  // choose a hash's bytes, so timing reveals nothing about a secret.
  const isCurrent = sql`${rt.rotatingSecretHash} = ${sql.param(expectedHash, rt.rotatingSecretHash)}`
  const ifCurrent = (column: Column, value: SQL) => sql`case when ${isCurrent} then ${value} else ${column} end`
  const graceRetry = and(eq(rt.previousRotatingSecretHash, expectedHash), sql`${dialect.later(rt.lastUpdatedAt, sql`${gracePeriodMs}`)} > ${at}`)
  return {
    set: {
      previousRotatingSecretHash: ifCurrent(rt.previousRotatingSecretHash, sql`${rt.rotatingSecretHash}`),
      rotatingSecretHash: ifCurrent(rt.rotatingSecretHash, sql`${sql.param(newHash, rt.rotatingSecretHash)}`),
      lastUpdatedAt: ifCurrent(rt.lastUpdatedAt, at),
      ...(newFixedHash && { fixedSecretHash: ifCurrent(rt.fixedSecretHash, sql`${sql.param(newFixedHash, rt.fixedSecretHash)}`) }),
    },
    where: and(
      eq(rt.id, id),
      unread && and(eq(rt.fixedSecretHash, unread.fixedHash), not(refreshTokenExpired(dialect, rt.lastUpdatedAt, unread.lifetimeMs, at))),
      gracePeriodMs === 0 ? isCurrent : or(isCurrent, graceRetry),
    ),
  }
}

/**
 * The app's callback writes, checked: each must be a Drizzle query (a builder or `sql```).
 *
 * @example
 * ```ts
 * await dialect.insertWithWrites(db, insert, checkedWrites(options.writes ?? []))
 * ```
 */
export function checkedWrites(writes: readonly unknown[]): SQLWrapper[] {
  for (const write of writes) {
    if (!write || typeof (write as SQLWrapper).getSQL !== 'function') {
      throw new ConfigError('onRefreshTokenCreated/onSessionCreated must return Drizzle queries (insert/update/delete builders or sql``).')
    }
  }
  return writes as SQLWrapper[]
}
