import { and, eq, getTableColumns, gt, lt, lte, or, sql, type SQL, type SQLWrapper } from 'drizzle-orm'
import type { PgColumn, PgDatabase, PgQueryResultHKT, PgTable, PgUpdateSetSource, SelectedFields } from 'drizzle-orm/pg-core'
import type { InsertOptions, Read, RefreshTokenRow, RowFilter, SessionRow, TokenStore } from '../managers/storage.ts'
import { observed } from '../crypto/loading.ts'
import { toMilliseconds } from '../managers/duration.ts'
import { ConfigError, EdgeTokenError, StorageUnavailableError } from '../managers/errors.ts'
import type { Duration } from '../managers/types.ts'
import { storageFailure } from './errors.ts'
import { authRefreshToken, authSession } from './schema.ts'

/** Any Drizzle Postgres database: neon-http, neon-serverless, node-postgres, postgres-js, PGlite. */
export type AnyPgDatabase = PgDatabase<PgQueryResultHKT, any, any>

type RefreshTokenRecord = typeof authRefreshToken.$inferSelect & Read
type SessionRecord = typeof authSession.$inferSelect & Read

// Every row is read with the database's clock when the statement arrived (see `Read`). mapWith parses it the
// way the timestamp columns are parsed, whatever the driver hands back (Date or text).
export const readAt = sql`statement_timestamp()`.mapWith(authSession.lastUsedAt)
const refreshTokenColumns = { ...getTableColumns(authRefreshToken), readAt }
const sessionColumns = { ...getTableColumns(authSession), readAt }
// A time the manager passes, or (null) the database's clock when the statement arrived.
const timeParam = (at: Date | null): SQL => (at === null ? sql`statement_timestamp()` : sql`${sql.param(at, authSession.lastUsedAt)}`)

/**
 * Wraps every storage operation: a deadline, so a hung link (half-open socket, a fetch that never answers)
 * gives the caller StorageUnavailableError instead of hanging the request; and typing, so no driver error
 * (Drizzle's quotes parameters) escapes. An abandoned statement may still complete on the server. That is
 * safe here: each operation is one statement, and a refresh whose answer was lost is retried inside the
 * grace window.
 */
export function withDeadline(deadlineMs: number) {
  return async function guarded<T>(operation: () => Promise<T>): Promise<T> {
    const running = operation()
    observed(running) // if the deadline wins, a late failure must not become an unhandled rejection
    let timer: ReturnType<typeof setTimeout> | undefined
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StorageUnavailableError({ cause: new Error(`No answer from the database within ${deadlineMs} ms.`) })), deadlineMs)
    })
    try {
      return await Promise.race([running, deadline])
    } catch (error) {
      // Our own typed errors (a misconfigured callback) are not the database failing: never "retry later".
      throw error instanceof EdgeTokenError ? error : storageFailure(error)
    } finally {
      clearTimeout(timer)
    }
  }
}

export interface DrizzleTokenStoreOptions {
  /**
   * How long one storage operation may take before it fails with `StorageUnavailableError` (HTTP 503).
   * Default 5 s. Also give the driver its own timeouts, so hung connections are dropped (see the README).
   */
  timeout?: Duration
}

const toRefreshTokenRow = (r: RefreshTokenRecord): RefreshTokenRow & Read => ({
  id: r.id, authUserId: r.authUserId, method: r.method, scopes: r.scopeNames, extraClaims: r.extraClaims ?? null,
  fixedSecretHash: r.fixedSecretHash, rotatingSecretHash: r.rotatingSecretHash,
  previousRotatingSecretHash: r.previousRotatingSecretHash ?? null, createdAt: r.createdAt, rotatedAt: r.lastUpdatedAt,
  readAt: r.readAt,
})

const toSessionRow = (r: SessionRecord): SessionRow & Read => ({
  id: r.id, authUserId: r.authUserId, method: r.method, scopes: r.scopeNames, secretHash: r.secretHash,
  createdAt: r.createdAt, lastUsedAt: r.lastUsedAt, expiresAt: r.expiresAt ?? null,
  expireAfterUnusedFor: r.expireAfterUnusedForMs ?? null, readAt: r.readAt,
})

/** One row by primary key, read with the database's clock (`readAt` among `columns`), mapped; or null. */
export async function findById<Record, Row>(
  db: AnyPgDatabase, table: PgTable & { id: PgColumn }, columns: SelectedFields, id: string, toRow: (record: Record) => Row,
): Promise<Row | null> {
  const [found] = await db.select(columns).from(table).where(eq(table.id, id)).limit(1)
  return found ? toRow(found as Record) : null
}

/** The expiry rule of refresh tokens in SQL: last rotated `lifetimeMs` or longer before `at`. Shared with serverpodStore. */
export function refreshTokenExpired(lastUpdatedAt: SQLWrapper, lifetimeMs: number, at: SQL): SQL {
  return sql`${lastUpdatedAt} + ${lifetimeMs} * interval '1 millisecond' <= ${at}`
}

/**
 * The manager's session expiry rule in SQL: past `expiresAt`, or idle for the timeout plus the touch interval
 * by which lastUsedAt may lag. Shared with serverpodStore, whose columns are named differently.
 */
export function sessionExpired(
  columns: { expiresAt: SQLWrapper; lastUsedAt: SQLWrapper; timeoutMs: SQLWrapper },
  at: SQL,
  { maxTouchIntervalMs, touchIntervalDivisor }: { maxTouchIntervalMs: number; touchIntervalDivisor: number },
): SQL | undefined {
  const { expiresAt, lastUsedAt, timeoutMs } = columns
  const slack = sql`least(${maxTouchIntervalMs}::float8, ${timeoutMs} / ${touchIntervalDivisor}::float8)`
  const idleDeadline = sql`${lastUsedAt} + (${timeoutMs} + ${slack}) * interval '1 millisecond'`
  return or(sql`${expiresAt} <= ${at}`, sql`${idleDeadline} <= ${at}`)
}

/** What the shared store operations need of each store: its deadline, row filter and way of writing times. */
interface StoreWriting {
  guarded: ReturnType<typeof withDeadline>
  byFilter: (filter: RowFilter) => SQL | undefined
  timeParam: (at: Date | null) => SQL
}

/** The refresh-token deletes that read the same in both stores: by id, by filter, and the expiry sweep. */
export function refreshTokenUpkeep<T extends PgTable>(
  db: AnyPgDatabase,
  rt: T & { id: PgColumn; lastUpdatedAt: PgColumn },
  { guarded, byFilter, timeParam }: StoreWriting,
): Pick<TokenStore, 'deleteRefreshToken' | 'deleteRefreshTokens' | 'deleteExpiredRefreshTokens'> {
  return {
    deleteRefreshToken: (id) => guarded(async () => void (await db.delete(rt).where(eq(rt.id, id)))),
    deleteRefreshTokens: (filter) => guarded(async () => void (await db.delete(rt).where(byFilter(filter)))),
    deleteExpiredRefreshTokens: (lifetimeMs, now) =>
      guarded(async () => (await db.delete(rt).where(refreshTokenExpired(rt.lastUpdatedAt, lifetimeMs, timeParam(now))).returning({ id: rt.id })).length),
  }
}

/** A session table as `sessionUpkeep` sees it: both stores' tables have these columns, the timeout under its own name. */
interface SessionTable<T extends PgTable> {
  table: T & { id: PgColumn; lastUsedAt: PgColumn; expiresAt: PgColumn }
  timeoutMs: PgColumn
}

/**
 * The session operations that read the same in both stores (this library's table and Serverpod's): the
 * conditional touch, scope and hash updates, deletes by id and by filter, and the expiry sweep. Times go
 * through `timeParam` and a new hash through `secretColumns`, each store's own way of writing them.
 */
export function sessionUpkeep<T extends PgTable>(
  db: AnyPgDatabase,
  { table: s, timeoutMs }: SessionTable<T>,
  { guarded, byFilter, timeParam, secretColumns }: StoreWriting & { secretColumns: (secretHash: Uint8Array) => Record<string, unknown> },
): Pick<TokenStore, 'touchSession' | 'updateSession' | 'deleteSession' | 'deleteSessions' | 'deleteExpiredSessions'> {
  return {
    touchSession: (id, at, ifUnusedSince) =>
      guarded(async () => void (await db.update(s).set({ lastUsedAt: at } as PgUpdateSetSource<T>).where(and(eq(s.id, id), lt(s.lastUsedAt, ifUnusedSince))))),
    updateSession: (id, changes) =>
      guarded(async () => {
        const set = { ...(changes.scopes && { scopeNames: changes.scopes }), ...(changes.secretHash && secretColumns(changes.secretHash)) }
        return (await db.update(s).set(set as PgUpdateSetSource<T>).where(eq(s.id, id)).returning({ id: s.id })).length > 0
      }),
    deleteSession: (id) => guarded(async () => void (await db.delete(s).where(eq(s.id, id)))),
    deleteSessions: (filter) => guarded(async () => void (await db.delete(s).where(byFilter(filter)))),
    deleteExpiredSessions: (now, touch) =>
      guarded(async () => {
        const expired = sessionExpired({ expiresAt: s.expiresAt, lastUsedAt: s.lastUsedAt, timeoutMs }, timeParam(now), touch)
        return (await db.delete(s).where(expired).returning({ id: s.id })).length
      }),
  }
}

function byFilter(table: typeof authRefreshToken | typeof authSession, { authUserId, method }: RowFilter): SQL | undefined {
  return and(
    authUserId === null ? undefined : eq(table.authUserId, authUserId),
    method === undefined ? undefined : eq(table.method, method),
  )
}

/**
 * Inserts a row together with the app's writes in ONE statement (data-modifying CTEs): atomic and a single
 * round trip on every driver, including neon-http, which has no interactive transactions. Postgres checks
 * foreign keys at the end of the statement, so a metadata row may reference the token row it sits beside.
 */
export async function insertWithWrites(
  db: AnyPgDatabase,
  insert: SQLWrapper & PromiseLike<unknown>,
  writes: readonly unknown[],
): Promise<void> {
  if (writes.length === 0) {
    await insert
    return
  }
  for (const write of writes) {
    if (!write || typeof (write as SQLWrapper).getSQL !== 'function') {
      throw new ConfigError('onRefreshTokenCreated/onSessionCreated must return Drizzle queries (insert/update/delete builders or sql``).')
    }
  }
  // getSQL(): a query builder embedded as-is gets wrapped in parentheses, which WITH does not allow.
  const parts = [sql`with token_row as (${insert.getSQL()})`]
  writes.forEach((write, i) => parts.push(sql`, ${sql.identifier(`app_write_${i}`)} as (${(write as SQLWrapper).getSQL()})`))
  parts.push(sql` select 1`)
  await db.execute(sql.join(parts))
}

/**
 * The token store for Drizzle on Postgres. Round trips: session validate 1, issue (with callback writes) 1,
 * refresh 2 (read + compare-and-swap), revokeAll 1, list 1. Every operation has a deadline (`timeout`).
 *
 * @example
 * ```ts
 * import { drizzle } from 'drizzle-orm/neon-http'
 * const auth = initializeAuthServices({ store: drizzleTokenStore(drizzle(env.DATABASE_URL)), tokenManagerBuilders })
 * ```
 */
export function drizzleTokenStore<TDb extends AnyPgDatabase>(db: TDb, options: DrizzleTokenStoreOptions = {}): TokenStore<TDb> {
  const guarded = withDeadline(toMilliseconds(options.timeout ?? '5s', 'timeout'))
  const rt = authRefreshToken
  const s = authSession
  const store: Omit<TokenStore<TDb>, 'db'> = {
    insertRefreshToken: (row, options: InsertOptions<TDb> = {}) =>
      guarded(async () => {
        const insert = (options.transaction ?? db).insert(rt).values({
          id: row.id, authUserId: row.authUserId, method: row.method, scopeNames: row.scopes, extraClaims: row.extraClaims,
          fixedSecretHash: row.fixedSecretHash, rotatingSecretHash: row.rotatingSecretHash,
          previousRotatingSecretHash: row.previousRotatingSecretHash, createdAt: timeParam(row.createdAt), lastUpdatedAt: timeParam(row.createdAt),
        })
        await insertWithWrites(options.transaction ?? db, insert, options.writes ?? [])
      }),

    findRefreshToken: (id) => guarded(() => findById(db, rt, refreshTokenColumns, id, toRefreshTokenRow)),

    rotateRefreshToken: ({ id, expectedHash, newHash, newFixedHash, rotatedAt, graceCutoff }) =>
      guarded(async () => {
        // One statement, so the row lock makes it a compare-and-swap. A caller that lost the race re-checks
        // the committed row (READ COMMITTED) and, inside the grace window only, matches the second branch: it
        // gets the row unchanged. Strict mode has no second branch, so exactly one caller swaps.
        const isCurrent = sql`${rt.rotatingSecretHash} = ${sql.param(expectedHash, rt.rotatingSecretHash)}`
        const [row] = await db
          .update(rt)
          .set({
            previousRotatingSecretHash: sql`case when ${isCurrent} then ${rt.rotatingSecretHash} else ${rt.previousRotatingSecretHash} end`,
            rotatingSecretHash: sql`case when ${isCurrent} then ${sql.param(newHash, rt.rotatingSecretHash)} else ${rt.rotatingSecretHash} end`,
            lastUpdatedAt: sql`case when ${isCurrent} then ${sql.param(rotatedAt, rt.lastUpdatedAt)} else ${rt.lastUpdatedAt} end`,
            ...(newFixedHash && {
              fixedSecretHash: sql`case when ${isCurrent} then ${sql.param(newFixedHash, rt.fixedSecretHash)} else ${rt.fixedSecretHash} end`,
            }),
          })
          .where(and(eq(rt.id, id), graceCutoff === null
            ? isCurrent
            : or(isCurrent, and(eq(rt.previousRotatingSecretHash, expectedHash), gt(rt.lastUpdatedAt, graceCutoff)))))
          .returning(refreshTokenColumns)
        return row ? toRefreshTokenRow(row) : null
      }),

    ...refreshTokenUpkeep(db, rt, { guarded, byFilter: (filter) => byFilter(rt, filter), timeParam }),
    listRefreshTokens: (filter) =>
      guarded(async () =>
        (await db.select(refreshTokenColumns).from(rt).where(byFilter(rt, filter)).orderBy(rt.createdAt, rt.id))
          .map(toRefreshTokenRow)),

    insertSession: (row, options: InsertOptions<TDb> = {}) =>
      guarded(async () => {
        const insert = (options.transaction ?? db).insert(s).values({
          id: row.id, authUserId: row.authUserId, method: row.method, scopeNames: row.scopes, secretHash: row.secretHash,
          createdAt: timeParam(row.createdAt), lastUsedAt: timeParam(row.createdAt), expiresAt: row.expiresAt, expireAfterUnusedForMs: row.expireAfterUnusedFor,
        })
        await insertWithWrites(options.transaction ?? db, insert, options.writes ?? [])
      }),

    findSession: (id) => guarded(() => findById(db, s, sessionColumns, id, toSessionRow)),

    ...sessionUpkeep(db, { table: s, timeoutMs: s.expireAfterUnusedForMs }, {
      guarded, byFilter: (filter) => byFilter(s, filter), timeParam, secretColumns: (secretHash) => ({ secretHash }),
    }),


    listSessions: (filter) =>
      guarded(async () =>
        (await db.select(sessionColumns).from(s).where(byFilter(s, filter)).orderBy(s.createdAt, s.id))
          .map(toSessionRow)),
  }
  return Object.assign(new DrizzleTokenStore(db), store)
}

/**
 * Keeps the app's database out of every printout of the store (and of AuthServices): the driver's config
 * can hold the database password. `db` is a prototype getter over a private field, so neither JSON,
 * `Object.entries` nor `getOwnPropertyDescriptors` reach it; callbacks still get `store.db`.
 */
export class DrizzleTokenStore<TDb> {
  readonly #db: TDb
  constructor(db: TDb) {
    this.#db = db
  }

  get db(): TDb {
    return this.#db
  }

  // Node's and Bun's util.inspect list prototype getters with `showHidden` (and call them with `getters`):
  // print the operations only.
  [Symbol.for('nodejs.util.inspect.custom')](): object {
    return { ...this }
  }
}
