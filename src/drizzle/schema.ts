import { sql, type BuildColumns, type NotNull, type IsPrimaryKey, type $Type } from 'drizzle-orm'
import {
  bigint, customType, index, jsonb, pgTable, text, timestamp, uuid,
  type PgArrayBuilder, type PgBigInt53BuilderInitial, type PgCustomColumnBuilder, type PgJsonbBuilderInitial, type PgSchema,
  type PgTableWithColumns, type PgTextBuilderInitial, type PgTimestampBuilderInitial, type PgUUIDBuilderInitial,
} from 'drizzle-orm/pg-core'
import { decodeHex, encodeHex } from '../crypto/hex.ts'

type ByteaBuilder<TName extends string> = PgCustomColumnBuilder<{
  name: TName; dataType: 'custom'; columnType: 'PgCustomColumn'; data: Uint8Array; driverParam: string | Uint8Array; enumValues: undefined
}>

/**
 * bytea as Uint8Array on every driver: node-postgres (Buffer), PGlite (Uint8Array), neon-http (text).
 *
 * @example
 * ```ts
 * const keys = pgTable('keys', { hash: bytea('hash').notNull() })
 * ```
 */
export const bytea: <TName extends string>(name: TName) => ByteaBuilder<TName> = customType<{ data: Uint8Array; driverData: string | Uint8Array }>({
  dataType: () => 'bytea',
  // Sent as hex text and decoded by Postgres: the one parameter form every driver passes unchanged
  // (PGlite refuses text for a bytea parameter, neon-http cannot send raw bytes).
  toDriver: (bytes) => sql`decode(${encodeHex(bytes)}, 'hex')` as unknown as string,
  fromDriver: (value) => {
    if (typeof value !== 'string') return new Uint8Array(value)
    return decodeHex(value.startsWith('\\x') ? value.slice(2) : value)
  },
})

const timestamptz = <TName extends string>(name: TName): PgTimestampBuilderInitial<TName> => timestamp(name, { withTimezone: true, mode: 'date', precision: 3 })

type TextConfig<TName extends string> = {
  name: TName; dataType: 'string'; columnType: 'PgText'; data: string; enumValues: [string, ...string[]]; driverParam: string
}
type TextArray<TName extends string> = PgArrayBuilder<{
  name: TName; dataType: 'array'; columnType: 'PgArray'; data: string[]; driverParam: string | string[]; enumValues: [string, ...string[]]
  size: undefined; baseBuilder: TextConfig<TName>
}, TextConfig<TName>>

/** The refresh-token table's columns (JavaScript key → SQL column). */
export type RefreshTokenColumnBuilders = {
  id: IsPrimaryKey<NotNull<PgUUIDBuilderInitial<'id'>>>
  authUserId: NotNull<PgTextBuilderInitial<'auth_user_id', [string, ...string[]]>>
  method: NotNull<PgTextBuilderInitial<'method', [string, ...string[]]>>
  scopeNames: NotNull<TextArray<'scope_names'>>
  extraClaims: $Type<PgJsonbBuilderInitial<'extra_claims'>, Record<string, unknown>>
  fixedSecretHash: NotNull<ByteaBuilder<'fixed_secret_hash'>>
  rotatingSecretHash: NotNull<ByteaBuilder<'rotating_secret_hash'>>
  previousRotatingSecretHash: ByteaBuilder<'previous_rotating_secret_hash'>
  /** RFC 7638 thumbprint of the DPoP key the token is bound to; null when unbound. */
  dpopJkt: PgTextBuilderInitial<'dpop_jkt', [string, ...string[]]>
  createdAt: NotNull<PgTimestampBuilderInitial<'created_at'>>
  lastUpdatedAt: NotNull<PgTimestampBuilderInitial<'last_updated_at'>>
}

/** The session table's columns (JavaScript key → SQL column). */
export type SessionColumnBuilders = {
  id: IsPrimaryKey<NotNull<PgUUIDBuilderInitial<'id'>>>
  authUserId: NotNull<PgTextBuilderInitial<'auth_user_id', [string, ...string[]]>>
  method: NotNull<PgTextBuilderInitial<'method', [string, ...string[]]>>
  scopeNames: NotNull<TextArray<'scope_names'>>
  secretHash: NotNull<ByteaBuilder<'secret_hash'>>
  createdAt: NotNull<PgTimestampBuilderInitial<'created_at'>>
  lastUsedAt: NotNull<PgTimestampBuilderInitial<'last_used_at'>>
  expiresAt: PgTimestampBuilderInitial<'expires_at'>
  /** Inactivity timeout in milliseconds. */
  expireAfterUnusedForMs: PgBigInt53BuilderInitial<'expire_after_unused_for_ms'>
  /** RFC 7638 thumbprint of the DPoP key the session is bound to; null when unbound. */
  dpopJkt: PgTextBuilderInitial<'dpop_jkt', [string, ...string[]]>
}

/** A refresh-token table made by `tokenTables` (any name, any Postgres schema). */
export type RefreshTokenTable = PgTableWithColumns<{ name: string; schema: string | undefined; columns: BuildColumns<string, RefreshTokenColumnBuilders, 'pg'>; dialect: 'pg' }>
/** A session table made by `tokenTables`. */
export type SessionTable = PgTableWithColumns<{ name: string; schema: string | undefined; columns: BuildColumns<string, SessionColumnBuilders, 'pg'>; dialect: 'pg' }>

/** The two tables of `drizzleTokenStore`. */
export interface TokenTables {
  refreshToken: RefreshTokenTable
  session: SessionTable
}

/** Where `tokenTables` puts the tables: a Postgres schema (`pgSchema('auth')`) and the table names. */
export interface TokenTablesOptions {
  /** Default: none (the connection's search path, `public` unless changed). */
  schema?: PgSchema
  /** Default `auth_refresh_token`. */
  refreshToken?: string
  /** Default `auth_session`. */
  session?: string
}

/**
 * The store's two tables, declared in the app's own Drizzle schema: its drizzle-kit then generates and
 * applies them with its other migrations, and its tables can reference them. Pass the result to
 * `drizzleTokenStore(db, { tables })`. Column names are fixed; table names, their indexes and the schema are yours.
 *
 * @example
 * ```ts
 * // schema.ts of the app
 * export const auth = pgSchema('auth')
 * export const { refreshToken, session } = tokenTables({ schema: auth, refreshToken: 'refresh_token', session: 'session' })
 * export const tokenMetadata = pgTable('token_metadata', {
 *   refreshTokenId: uuid('refresh_token_id').references(() => refreshToken.id, { onDelete: 'cascade' }).unique(),
 *   deviceName: text('device_name'),
 * })
 * ```
 */
export function tokenTables(options: TokenTablesOptions = {}): TokenTables {
  // A schema's `table` is pgTable with the schema's name: the tables' types say `schema: string | undefined`.
  const table = (options.schema?.table ?? pgTable) as typeof pgTable
  const refreshTokenName = options.refreshToken ?? 'auth_refresh_token'
  const sessionName = options.session ?? 'auth_session'
  const refreshToken: RefreshTokenTable = table(
    refreshTokenName,
    {
      id: uuid('id').primaryKey(),
      authUserId: text('auth_user_id').notNull(),
      method: text('method').notNull(),
      scopeNames: text('scope_names').array().notNull(),
      extraClaims: jsonb('extra_claims').$type<Record<string, unknown>>(),
      fixedSecretHash: bytea('fixed_secret_hash').notNull(),
      rotatingSecretHash: bytea('rotating_secret_hash').notNull(),
      previousRotatingSecretHash: bytea('previous_rotating_secret_hash'),
      dpopJkt: text('dpop_jkt'),
      createdAt: timestamptz('created_at').notNull(),
      lastUpdatedAt: timestamptz('last_updated_at').notNull(),
    },
    // Serverpod lacks this index; list/revoke by user would scan the table.
    (t) => [index(`${refreshTokenName}_auth_user_id_idx`).on(t.authUserId, t.method)],
  )
  const session: SessionTable = table(
    sessionName,
    {
      id: uuid('id').primaryKey(),
      authUserId: text('auth_user_id').notNull(),
      method: text('method').notNull(),
      scopeNames: text('scope_names').array().notNull(),
      secretHash: bytea('secret_hash').notNull(),
      createdAt: timestamptz('created_at').notNull(),
      lastUsedAt: timestamptz('last_used_at').notNull(),
      expiresAt: timestamptz('expires_at'),
      expireAfterUnusedForMs: bigint('expire_after_unused_for_ms', { mode: 'number' }),
      dpopJkt: text('dpop_jkt'),
    },
    (t) => [index(`${sessionName}_auth_user_id_idx`).on(t.authUserId, t.method)],
  )
  return { refreshToken, session }
}

const defaults: TokenTables = tokenTables()

/**
 * Refresh tokens of the JwtTokenManager (`auth_refresh_token`, the default table). Relate your own metadata
 * to it with `.references(() => authRefreshToken.id, { onDelete: 'cascade' })` so revoking deletes it too.
 *
 * @example
 * ```ts
 * refreshTokenId: uuid('refresh_token_id').references(() => authRefreshToken.id, { onDelete: 'cascade' })
 * ```
 */
export const authRefreshToken: RefreshTokenTable = defaults.refreshToken

/**
 * Server-side sessions of the ServerSideSessionsTokenManager (`auth_session`, the default table).
 *
 * @example
 * ```ts
 * sessionId: uuid('session_id').references(() => authSession.id, { onDelete: 'cascade' })
 * ```
 */
export const authSession: SessionTable = defaults.session
