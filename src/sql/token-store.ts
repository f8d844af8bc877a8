import { and, eq, getTableColumns, lt, sql, type SQL, type SQLWrapper } from 'drizzle-orm'
import { toMilliseconds } from '../managers/duration.ts'
import type { InsertOptions, Read, RefreshTokenRow, SessionRow, TokenStore } from '../managers/storage.ts'
import type { Duration } from '../managers/types.ts'
import { withDeadline } from './deadline.ts'
import type { QueryDatabase, SqlDialect } from './dialect.ts'
import type { StoreLogger } from './logger.ts'
import { byFilter, checkedWrites, refreshTokenExpired, rotation, sessionExpired, timeParam } from './rules.ts'
import { DrizzleTokenStore } from './store-handle.ts'
import { sweep } from './sweep.ts'
import type { TokenTableColumns } from './token-tables.ts'

/** Options every SQL token store takes. */
export interface SqlTokenStoreOptions {
  /**
   * How long one storage operation may take before it fails with `StorageUnavailableError` (HTTP 503).
   * Default 5 s. Also give the driver its own timeouts, so hung connections are dropped (see the README).
   */
  timeout?: Duration
  /**
   * Where the cause of a storage failure is reported, once per distinct cause (driver message and code,
   * never a secret, token, hash or query parameter). Default: one `console.error` line.
   */
  logger?: StoreLogger
}

type Record_ = Record<string, any>

const toRefreshTokenRow = (r: Record_): RefreshTokenRow & Read => ({
  id: r.id, authUserId: r.authUserId, method: r.method, scopes: r.scopeNames, extraClaims: r.extraClaims ?? null,
  fixedSecretHash: r.fixedSecretHash, rotatingSecretHash: r.rotatingSecretHash,
  previousRotatingSecretHash: r.previousRotatingSecretHash ?? null, dpopJkt: r.dpopJkt ?? null, createdAt: r.createdAt, rotatedAt: r.lastUpdatedAt,
  readAt: r.readAt,
})

const toSessionRow = (r: Record_): SessionRow & Read => ({
  id: r.id, authUserId: r.authUserId, method: r.method, scopes: r.scopeNames, secretHash: r.secretHash,
  createdAt: r.createdAt, lastUsedAt: r.lastUsedAt, expiresAt: r.expiresAt ?? null,
  expireAfterUnusedFor: r.expireAfterUnusedForMs ?? null, dpopJkt: r.dpopJkt ?? null, readAt: r.readAt,
})

/**
 * A query prepared on first use and run with placeholder values. Postgres' `prepare` takes a statement name:
 * '' keeps it unnamed, as an unprepared query is (named statements break behind PgBouncer's transaction
 * pooling); SQLite's takes none.
 */
function prepared(build: () => { prepare(name: string): { execute(values: Record<string, unknown>): unknown } }) {
  let query: ReturnType<ReturnType<typeof build>['prepare']> | undefined
  return async (values: Record<string, unknown>): Promise<Record_[]> => (await (query ??= build().prepare('')).execute(values)) as Record_[]
}

/**
 * The token store over the library's two tables (under any names), written once for every SQL dialect:
 * each operation is one statement (an insert with callback writes: one statement or one batch), every
 * stored-state rule runs on the database's clock, and every operation has a deadline. Round trips: session
 * validate 1, issue (with callback writes) 1, refresh 1 (the compare-and-swap; 2 when it misses), list 1, revoke 1; the
 * expiry sweeps run in batches (see `sweep`).
 *
 * @example
 * ```ts
 * const store = sqlTokenStore(db, postgresDialect, tokenTables(), { timeout: '3s' })
 * ```
 */
export function sqlTokenStore<TDb extends QueryDatabase>(db: TDb, dialect: SqlDialect, tables: TokenTableColumns, options: SqlTokenStoreOptions = {}): TokenStore<TDb> {
  const guarded = withDeadline(toMilliseconds(options.timeout ?? '5s', 'timeout'), dialect.classify, options.logger)
  const { refreshToken: rt, session: s } = tables
  // Every row is read with the database's clock when the statement ran (see `Read`), parsed as the table's times are.
  const readAt = (time: typeof rt.createdAt): SQL => sql`${dialect.now}`.mapWith(time)
  const refreshTokenColumns = { ...getTableColumns(rt), readAt: readAt(rt.createdAt) }
  const sessionColumns = { ...getTableColumns(s), readAt: readAt(s.createdAt) }
  const time = (at: Date | null) => timeParam(dialect, at, s.createdAt)
  const insertRow = (options: InsertOptions<TDb>, insert: SQLWrapper & PromiseLike<unknown>) =>
    dialect.insertWithWrites(options.transaction ?? db, insert, checkedWrites(options.writes ?? []))
  // The lookups on every validation and refresh, built once: building a query costs more CPU than
  // node-postgres spends sending it.
  const findRefreshToken = prepared(() => db.select(refreshTokenColumns).from(rt).where(eq(rt.id, sql.placeholder('id'))).limit(1))
  const findSession = prepared(() => db.select(sessionColumns).from(s).where(eq(s.id, sql.placeholder('id'))).limit(1))

  const store: Omit<TokenStore<TDb>, 'db'> = {
    insertRefreshToken: (row, options: InsertOptions<TDb> = {}) =>
      guarded(() => insertRow(options, (options.transaction ?? db).insert(rt).values({
        id: row.id, authUserId: row.authUserId, method: row.method, scopeNames: row.scopes, extraClaims: row.extraClaims,
        fixedSecretHash: row.fixedSecretHash, rotatingSecretHash: row.rotatingSecretHash,
        previousRotatingSecretHash: row.previousRotatingSecretHash, dpopJkt: row.dpopJkt ?? null, createdAt: time(row.createdAt), lastUpdatedAt: time(row.createdAt),
      }))),

    findRefreshToken: (id) =>
      guarded(async () => {
        const [found] = await findRefreshToken({ id })
        return found ? toRefreshTokenRow(found) : null
      }),

    rotateRefreshToken: (change) =>
      guarded(async () => {
        const { set, where } = rotation(dialect, rt, change)
        const [row] = await db.update(rt).set(set).where(where).returning(refreshTokenColumns)
        return row ? toRefreshTokenRow(row) : null
      }),

    deleteRefreshToken: (id) => guarded(async () => (await db.delete(rt).where(eq(rt.id, id)).returning({ id: rt.id })).length > 0),
    deleteRefreshTokens: (filter) => guarded(async () => void (await db.delete(rt).where(byFilter(rt, filter)))),
    deleteExpiredRefreshTokens: (lifetimeMs, now) =>
      sweep(guarded, db, { table: rt, id: rt.id }, refreshTokenExpired(dialect, rt.lastUpdatedAt, lifetimeMs, time(now))),

    listRefreshTokens: (filter) =>
      guarded(async () => (await db.select(refreshTokenColumns).from(rt).where(byFilter(rt, filter)).orderBy(rt.createdAt, rt.id)).map(toRefreshTokenRow)),

    insertSession: (row, options: InsertOptions<TDb> = {}) =>
      guarded(() => insertRow(options, (options.transaction ?? db).insert(s).values({
        id: row.id, authUserId: row.authUserId, method: row.method, scopeNames: row.scopes, secretHash: row.secretHash,
        createdAt: time(row.createdAt), lastUsedAt: time(row.createdAt), expiresAt: row.expiresAt, expireAfterUnusedForMs: row.expireAfterUnusedFor,
        dpopJkt: row.dpopJkt ?? null,
      }))),

    findSession: (id) =>
      guarded(async () => {
        const [found] = await findSession({ id })
        return found ? toSessionRow(found) : null
      }),

    // Conditional, so racing validations write lastUsedAt once per interval.
    touchSession: (id, at, ifUnusedSince) =>
      guarded(async () => void (await db.update(s).set({ lastUsedAt: at }).where(and(eq(s.id, id), lt(s.lastUsedAt, ifUnusedSince))))),

    updateSession: (id, changes) =>
      guarded(async () => {
        const set = { ...(changes.scopes && { scopeNames: changes.scopes }), ...(changes.secretHash && { secretHash: changes.secretHash }) }
        return (await db.update(s).set(set).where(eq(s.id, id)).returning({ id: s.id })).length > 0
      }),

    deleteSession: (id) => guarded(async () => void (await db.delete(s).where(eq(s.id, id)))),
    deleteSessions: (filter) => guarded(async () => void (await db.delete(s).where(byFilter(s, filter)))),
    deleteExpiredSessions: (now, touch) =>
      sweep(guarded, db, { table: s, id: s.id }, sessionExpired(dialect, { expiresAt: s.expiresAt, lastUsedAt: s.lastUsedAt, timeoutMs: s.expireAfterUnusedForMs }, time(now), touch)),

    listSessions: (filter) =>
      guarded(async () => (await db.select(sessionColumns).from(s).where(byFilter(s, filter)).orderBy(s.createdAt, s.id)).map(toSessionRow)),
  }
  return Object.assign(new DrizzleTokenStore(db), store)
}
