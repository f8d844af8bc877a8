import { and, asc, eq, getTableColumns, lt, sql, type SQL, type SQLWrapper } from 'drizzle-orm'
import { utf8Decode, utf8Encode } from '../crypto/bytes.ts'
import { ConfigError } from '../crypto/errors.ts'
import { postgresDialect } from '../drizzle/dialect.ts'
import { authSession } from '../drizzle/schema.ts'
import type { AnyPgDatabase } from '../drizzle/store.ts'
import { withDeadline } from '../sql/deadline.ts'
import type { SqlDialect } from '../sql/dialect.ts'
import type { StoreLogger } from '../sql/logger.ts'
import { byFilter as rowsOf, checkedWrites, refreshTokenExpired, sessionExpired, timeParam as timeIn } from '../sql/rules.ts'
import { DrizzleTokenStore } from '../sql/store-handle.ts'
import { sweep } from '../sql/sweep.ts'
import { toMilliseconds } from '../managers/duration.ts'
import { InvalidArgumentError } from '../managers/errors.ts'
import { normalizeTokenId } from '../managers/ids.ts'
import type { InsertOptions, Read, RefreshTokenRow, RowFilter, SessionRow, TokenStore } from '../managers/storage.ts'
import type { AuthUsers, Duration } from '../managers/types.ts'
import { checkArgon2Parameters, type Argon2Parameters } from './argon2.ts'
import { serverpodFormats } from './formats.ts'
import { packSessionHash, unpackSessionHash } from './hashes.ts'
import { serverpodRefreshToken as rt, serverpodSession as s, serverpodUser as users } from './schema.ts'

export interface ServerpodStoreOptions {
  /** How long one storage operation may take before it fails with `StorageUnavailableError`. Default 5 s. */
  timeout?: Duration
  /**
   * Argon2id cost of new refresh-secret hashes. Default Serverpod's: memory 4096 KiB, iterations 3,
   * lanes = the runtime's `navigator.hardwareConcurrency` (1 where it is not reported). Stored hashes
   * always verify with the parameters they name.
   */
  argon2?: Partial<Argon2Parameters>
  /**
   * The most rows one `listTokens` returns per manager, ordered by id as Serverpod orders them. Default:
   * 100 refresh tokens (Serverpod's `listJwtTokens`), sessions unlimited (Serverpod's `listSessions`).
   */
  listLimit?: number
  /** Where the cause of a storage failure is reported, once per distinct cause. Default: one `console.error` line. */
  logger?: StoreLogger
}

type RefreshTokenRecord = typeof rt.$inferSelect & Read
type SessionRecord = typeof s.$inferSelect & Read

// Serverpod writes UTC wall times into `timestamp without time zone`: the database's clock must be read in
// UTC too, whatever the session's TimeZone setting.
const serverpodDialect: SqlDialect = { ...postgresDialect, now: sql`(statement_timestamp() at time zone 'UTC')` }
const timeParam = (at: Date | null): SQL => timeIn(serverpodDialect, at, rt.lastUpdatedAt)
// Rows are read with the database's clock as an instant (timestamptz), parsed as the library's own tables' times.
const readAt = sql`statement_timestamp()`.mapWith(authSession.lastUsedAt)
const refreshTokenColumns = { ...getTableColumns(rt), readAt }
const sessionColumns = { ...getTableColumns(s), readAt }

/** Serverpod keys users by uuid: a user id that is none can name no row, and is the caller's mistake. */
function userId(value: unknown): string {
  const id = normalizeTokenId(value)
  if (id === null) throw new InvalidArgumentError('authUserId must be a UUID: Serverpod\'s tables key users by uuid.')
  return id
}

function parseClaims(text: string | null): Record<string, unknown> | null {
  if (text === null) return null
  try {
    const claims: unknown = JSON.parse(text)
    return claims !== null && typeof claims === 'object' && !Array.isArray(claims) ? (claims as Record<string, unknown>) : null
  } catch {
    return null
  }
}

const toRefreshTokenRow = (r: RefreshTokenRecord): RefreshTokenRow & Read => ({
  id: r.id, authUserId: r.authUserId, method: r.method, scopes: r.scopeNames, extraClaims: parseClaims(r.extraClaims),
  fixedSecretHash: r.fixedSecret, rotatingSecretHash: utf8Encode(r.rotatingSecretHash), previousRotatingSecretHash: null,
  createdAt: r.createdAt, rotatedAt: r.lastUpdatedAt, readAt: r.readAt,
})

const toSessionRow = (r: SessionRecord): SessionRow & Read => ({
  id: r.id, authUserId: r.authUserId, method: r.method, scopes: r.scopeNames,
  secretHash: packSessionHash(r.sessionKeySalt, r.sessionKeyHash), createdAt: r.createdAt, lastUsedAt: r.lastUsedAt,
  expiresAt: r.expiresAt ?? null, expireAfterUnusedFor: r.expireAfterUnusedFor ?? null, readAt: r.readAt,
})

function sessionKey(secretHash: Uint8Array): { sessionKeyHash: Uint8Array; sessionKeySalt: Uint8Array } {
  const unpacked = unpackSessionHash(secretHash)
  if (!unpacked) throw new InvalidArgumentError('The session hash is not in Serverpod\'s layout.')
  return { sessionKeyHash: unpacked.hash, sessionKeySalt: unpacked.salt }
}

const byFilter = (table: typeof rt | typeof s, filter: RowFilter): SQL | undefined => rowsOf(table, filter, userId)

function listLimit(value: number | undefined): number | undefined {
  if (value !== undefined && !(Number.isInteger(value) && value >= 1 && value <= 1000)) throw new ConfigError('listLimit must be an integer from 1 to 1000.')
  return value
}

/**
 * A token store on Serverpod 3.4's own tables and formats: pass it as `store`, and the same `JwtConfig` and
 * `ServerSideSessionsConfig` managers issue, refresh, validate and revoke tokens that a Serverpod server
 * sharing the database (and the peppers and JWT key) accepts, and accept the ones it issues. Users are read
 * from `serverpod_auth_core_user` (blocked flag, default scopes); user ids must be UUIDs. Needs the optional
 * peer dependency `@noble/hashes` (Argon2id). Round trips: issue 2 (user + insert), refresh 3 (read, user,
 * compare-and-swap), session validate 1.
 *
 * @example
 * ```ts
 * import { serverpodStore } from 'edge-token-managers/serverpod'
 * const auth = initializeAuthServices({
 *   store: serverpodStore(drizzle(neon(env.DATABASE_URL))),
 *   tokenManagerBuilders: [new JwtConfigFromPasswords(env), new ServerSideSessionsConfigFromPasswords(env)],
 * })
 * ```
 */
export function serverpodStore<TDb extends AnyPgDatabase>(db: TDb, options: ServerpodStoreOptions = {}): TokenStore<TDb> {
  const guarded = withDeadline(toMilliseconds(options.timeout ?? '5s', 'timeout'), serverpodDialect.classify, options.logger)
  const formats = serverpodFormats(checkArgon2Parameters(options.argon2))
  const limit = listLimit(options.listLimit)
  const insertRow = (options: InsertOptions<TDb>, insert: SQLWrapper & PromiseLike<unknown>) =>
    serverpodDialect.insertWithWrites(options.transaction ?? db, insert, checkedWrites(options.writes ?? []))
  const authUsers: AuthUsers = {
    get: (authUserId) => {
      const id = userId(authUserId)
      return guarded(async () => {
        // readAt (a stable function) keeps the read out of caches such as Hyperdrive's: a user blocked a
        // second ago must not refresh from a cached answer.
        const [user] = await db.select({ scopes: users.scopeNames, blocked: users.blocked, readAt }).from(users).where(eq(users.id, id)).limit(1)
        return user ? { scopes: user.scopes, blocked: user.blocked } : null
      })
    },
  }
  const store: Omit<TokenStore<TDb>, 'db'> = {
    formats,
    authUsers,
    insertRefreshToken: (row, options: InsertOptions<TDb> = {}) =>
      guarded(() => {
        const claims = row.extraClaims && Object.keys(row.extraClaims).length > 0 ? JSON.stringify(row.extraClaims) : null
        return insertRow(options, (options.transaction ?? db).insert(rt).values({
          id: row.id, authUserId: userId(row.authUserId), method: row.method, scopeNames: row.scopes, extraClaims: claims,
          fixedSecret: row.fixedSecretHash, rotatingSecretHash: utf8Decode(row.rotatingSecretHash) ?? '',
          createdAt: timeParam(row.createdAt), lastUpdatedAt: timeParam(row.createdAt),
        }))
      }),

    findRefreshToken: (id) =>
      guarded(async () => {
        const [found] = await db.select(refreshTokenColumns).from(rt).where(eq(rt.id, id)).limit(1)
        return found ? toRefreshTokenRow(found) : null
      }),

    // No previous-hash column: a plain compare-and-swap on the PHC string. The manager recognises a grace
    // retry by the derived successor instead (see JwtTokenManager).
    rotateRefreshToken: ({ id, expectedHash, newHash, newFixedHash, rotatedAt }) =>
      guarded(async () => {
        const [row] = await db
          .update(rt)
          .set({ rotatingSecretHash: utf8Decode(newHash) ?? '', lastUpdatedAt: timeParam(rotatedAt), ...(newFixedHash && { fixedSecret: newFixedHash }) })
          .where(and(eq(rt.id, id), eq(rt.rotatingSecretHash, utf8Decode(expectedHash) ?? '')))
          .returning(refreshTokenColumns)
        return row ? toRefreshTokenRow(row) : null
      }),

    deleteRefreshToken: (id) => guarded(async () => (await db.delete(rt).where(eq(rt.id, id)).returning({ id: rt.id })).length > 0),
    deleteRefreshTokens: (filter) => guarded(async () => void (await db.delete(rt).where(byFilter(rt, filter)))),
    deleteExpiredRefreshTokens: (lifetimeMs, now) =>
      sweep(guarded, db, { table: rt, id: rt.id }, refreshTokenExpired(serverpodDialect, rt.lastUpdatedAt, lifetimeMs, timeParam(now))),

    listRefreshTokens: (filter) =>
      guarded(async () =>
        (await db.select(refreshTokenColumns).from(rt).where(byFilter(rt, filter)).orderBy(asc(rt.id)).limit(limit ?? 100)).map(toRefreshTokenRow)),

    insertSession: (row, options: InsertOptions<TDb> = {}) =>
      guarded(() => insertRow(options, (options.transaction ?? db).insert(s).values({
        id: row.id, authUserId: userId(row.authUserId), method: row.method, scopeNames: row.scopes, ...sessionKey(row.secretHash),
        createdAt: timeParam(row.createdAt), lastUsedAt: timeParam(row.createdAt), expiresAt: row.expiresAt,
        expireAfterUnusedFor: row.expireAfterUnusedFor,
      }))),

    findSession: (id) =>
      guarded(async () => {
        const [found] = await db.select(sessionColumns).from(s).where(eq(s.id, id)).limit(1)
        return found ? toSessionRow(found) : null
      }),

    // Conditional, so racing validations write lastUsedAt once per interval.
    touchSession: (id, at, ifUnusedSince) =>
      guarded(async () => void (await db.update(s).set({ lastUsedAt: at }).where(and(eq(s.id, id), lt(s.lastUsedAt, ifUnusedSince))))),

    updateSession: (id, changes) =>
      guarded(async () => {
        const set = { ...(changes.scopes && { scopeNames: changes.scopes }), ...(changes.secretHash && sessionKey(changes.secretHash)) }
        return (await db.update(s).set(set).where(eq(s.id, id)).returning({ id: s.id })).length > 0
      }),

    deleteSession: (id) => guarded(async () => void (await db.delete(s).where(eq(s.id, id)))),
    deleteSessions: (filter) => guarded(async () => void (await db.delete(s).where(byFilter(s, filter)))),
    deleteExpiredSessions: (now, touch) =>
      sweep(guarded, db, { table: s, id: s.id }, sessionExpired(serverpodDialect, { expiresAt: s.expiresAt, lastUsedAt: s.lastUsedAt, timeoutMs: s.expireAfterUnusedFor }, timeParam(now), touch)),

    listSessions: (filter) =>
      guarded(async () => {
        const query = db.select(sessionColumns).from(s).where(byFilter(s, filter)).orderBy(asc(s.id))
        return (await (limit === undefined ? query : query.limit(limit))).map(toSessionRow)
      }),
  }
  return Object.assign(new DrizzleTokenStore(db), store)
}
