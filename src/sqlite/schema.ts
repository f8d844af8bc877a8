import type { $Type, BuildColumns, IsPrimaryKey, NotNull } from 'drizzle-orm'
import {
  customType, index, integer, sqliteTable, text,
  type SQLiteCustomColumnBuilder, type SQLiteIntegerBuilderInitial, type SQLiteTableWithColumns, type SQLiteTextBuilderInitial,
  type SQLiteTextJsonBuilderInitial, type SQLiteTimestampBuilderInitial,
} from 'drizzle-orm/sqlite-core'

type BytesBuilder<TName extends string> = SQLiteCustomColumnBuilder<{
  name: TName; dataType: 'custom'; columnType: 'SQLiteCustomColumn'; data: Uint8Array; driverParam: Uint8Array; enumValues: undefined
}>

/**
 * A blob as Uint8Array on every SQLite driver: better-sqlite3 and bun:sqlite hand back Buffer-like views,
 * D1 an array of numbers, libSQL an ArrayBuffer. Drizzle's own `blob` needs Node's Buffer, which Workers lack.
 *
 * @example
 * ```ts
 * const keys = sqliteTable('keys', { hash: bytes('hash').notNull() })
 * ```
 */
export const bytes: <TName extends string>(name: TName) => BytesBuilder<TName> = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'blob',
  toDriver: (value) => value,
  fromDriver: (value: unknown) =>
    value instanceof ArrayBuffer ? new Uint8Array(value)
      : ArrayBuffer.isView(value) ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength).slice()
        : Uint8Array.from(value as ArrayLike<number>),
})

type Text<TName extends string> = NotNull<SQLiteTextBuilderInitial<TName, [string, ...string[]], number | undefined>>
type Json<TName extends string, TData> = $Type<SQLiteTextJsonBuilderInitial<TName>, TData>
/** Integer milliseconds since the epoch: what `unixepoch('subsec') * 1000` gives, and what D1 can bind. */
type Time<TName extends string> = SQLiteTimestampBuilderInitial<TName>

/** The refresh-token table's columns (JavaScript key → SQL column). */
export type RefreshTokenColumnBuilders = {
  id: IsPrimaryKey<NotNull<SQLiteTextBuilderInitial<'id', [string, ...string[]], number | undefined>>>
  authUserId: Text<'auth_user_id'>
  method: Text<'method'>
  scopeNames: NotNull<Json<'scope_names', string[]>>
  extraClaims: Json<'extra_claims', Record<string, unknown>>
  fixedSecretHash: NotNull<BytesBuilder<'fixed_secret_hash'>>
  rotatingSecretHash: NotNull<BytesBuilder<'rotating_secret_hash'>>
  previousRotatingSecretHash: BytesBuilder<'previous_rotating_secret_hash'>
  /** RFC 7638 thumbprint of the DPoP key the token is bound to; null when unbound. */
  dpopJkt: SQLiteTextBuilderInitial<'dpop_jkt', [string, ...string[]], number | undefined>
  createdAt: NotNull<Time<'created_at'>>
  lastUpdatedAt: NotNull<Time<'last_updated_at'>>
}

/** The session table's columns (JavaScript key → SQL column). */
export type SessionColumnBuilders = {
  id: IsPrimaryKey<NotNull<SQLiteTextBuilderInitial<'id', [string, ...string[]], number | undefined>>>
  authUserId: Text<'auth_user_id'>
  method: Text<'method'>
  scopeNames: NotNull<Json<'scope_names', string[]>>
  secretHash: NotNull<BytesBuilder<'secret_hash'>>
  createdAt: NotNull<Time<'created_at'>>
  lastUsedAt: NotNull<Time<'last_used_at'>>
  expiresAt: Time<'expires_at'>
  /** Inactivity timeout in milliseconds. */
  expireAfterUnusedForMs: SQLiteIntegerBuilderInitial<'expire_after_unused_for_ms'>
  /** RFC 7638 thumbprint of the DPoP key the session is bound to; null when unbound. */
  dpopJkt: SQLiteTextBuilderInitial<'dpop_jkt', [string, ...string[]], number | undefined>
}

/** A refresh-token table made by `tokenTables` (any name). */
export type RefreshTokenTable = SQLiteTableWithColumns<{ name: string; schema: undefined; columns: BuildColumns<string, RefreshTokenColumnBuilders, 'sqlite'>; dialect: 'sqlite' }>
/** A session table made by `tokenTables`. */
export type SessionTable = SQLiteTableWithColumns<{ name: string; schema: undefined; columns: BuildColumns<string, SessionColumnBuilders, 'sqlite'>; dialect: 'sqlite' }>

/** The two tables of `sqliteTokenStore`. */
export interface TokenTables {
  refreshToken: RefreshTokenTable
  session: SessionTable
}

/** The table names `tokenTables` uses. */
export interface TokenTablesOptions {
  /** Default `auth_refresh_token`. */
  refreshToken?: string
  /** Default `auth_session`. */
  session?: string
}

const time = <TName extends string>(name: TName): Time<TName> => integer(name, { mode: 'timestamp_ms' })

/**
 * The store's two tables, declared in the app's own Drizzle schema: its drizzle-kit then generates them with
 * its other migrations (applied by `wrangler d1 migrations apply` or drizzle-orm's migrator), and its tables
 * can reference them. Pass the result to `sqliteTokenStore(db, { tables })`. Column names are fixed.
 *
 * @example
 * ```ts
 * // schema.ts of the app
 * export const { refreshToken, session } = tokenTables({ refreshToken: 'refresh_token', session: 'session' })
 * export const tokenMetadata = sqliteTable('token_metadata', {
 *   refreshTokenId: text('refresh_token_id').references(() => refreshToken.id, { onDelete: 'cascade' }).unique(),
 *   deviceName: text('device_name'),
 * })
 * ```
 */
export function tokenTables(options: TokenTablesOptions = {}): TokenTables {
  const refreshTokenName = options.refreshToken ?? 'auth_refresh_token'
  const sessionName = options.session ?? 'auth_session'
  const refreshToken: RefreshTokenTable = sqliteTable(
    refreshTokenName,
    {
      id: text('id').primaryKey(),
      authUserId: text('auth_user_id').notNull(),
      method: text('method').notNull(),
      scopeNames: text('scope_names', { mode: 'json' }).$type<string[]>().notNull(),
      extraClaims: text('extra_claims', { mode: 'json' }).$type<Record<string, unknown>>(),
      fixedSecretHash: bytes('fixed_secret_hash').notNull(),
      rotatingSecretHash: bytes('rotating_secret_hash').notNull(),
      previousRotatingSecretHash: bytes('previous_rotating_secret_hash'),
      dpopJkt: text('dpop_jkt'),
      createdAt: time('created_at').notNull(),
      lastUpdatedAt: time('last_updated_at').notNull(),
    },
    (t) => [index(`${refreshTokenName}_auth_user_id_idx`).on(t.authUserId, t.method)],
  )
  const session: SessionTable = sqliteTable(
    sessionName,
    {
      id: text('id').primaryKey(),
      authUserId: text('auth_user_id').notNull(),
      method: text('method').notNull(),
      scopeNames: text('scope_names', { mode: 'json' }).$type<string[]>().notNull(),
      secretHash: bytes('secret_hash').notNull(),
      createdAt: time('created_at').notNull(),
      lastUsedAt: time('last_used_at').notNull(),
      expiresAt: time('expires_at'),
      expireAfterUnusedForMs: integer('expire_after_unused_for_ms'),
      dpopJkt: text('dpop_jkt'),
    },
    (t) => [index(`${sessionName}_auth_user_id_idx`).on(t.authUserId, t.method)],
  )
  return { refreshToken, session }
}

const defaults: TokenTables = tokenTables()

/**
 * Refresh tokens of the JwtTokenManager (`auth_refresh_token`, the default table). Relate your own metadata
 * to it with `.references(() => authRefreshToken.id, { onDelete: 'cascade' })` (and `PRAGMA foreign_keys = ON`
 * outside D1, which always enforces them).
 *
 * @example
 * ```ts
 * refreshTokenId: text('refresh_token_id').references(() => authRefreshToken.id, { onDelete: 'cascade' })
 * ```
 */
export const authRefreshToken: RefreshTokenTable = defaults.refreshToken

/**
 * Server-side sessions of the ServerSideSessionsTokenManager (`auth_session`, the default table).
 *
 * @example
 * ```ts
 * sessionId: text('session_id').references(() => authSession.id, { onDelete: 'cascade' })
 * ```
 */
export const authSession: SessionTable = defaults.session
