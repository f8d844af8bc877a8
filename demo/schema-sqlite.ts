// The demo's own table on SQLite (D1): the same TokenMetadata as demo/schema.ts, related to the library's
// SQLite tables with cascading deletes (D1 always enforces foreign keys), so revoking a token removes its
// metadata in the same statement. Its migrations: demo/drizzle/sqlite (drizzle.sqlite.config.ts here).
import { sql } from 'drizzle-orm'
import { check, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { authRefreshToken, authSession } from '../src/sqlite/schema.ts'

/**
 * Who created a token, from where: one row per refresh token (JWT sign-ins and PATs) or session.
 *
 * @example
 * ```ts
 * const rows = await drizzle(env.DB).select().from(tokenMetadata).where(eq(tokenMetadata.deviceName, 'Old Device'))
 * ```
 */
export const tokenMetadata = sqliteTable(
  'token_metadata',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    refreshTokenId: text('refresh_token_id').references(() => authRefreshToken.id, { onDelete: 'cascade' }).unique(),
    sessionId: text('session_id').references(() => authSession.id, { onDelete: 'cascade' }).unique(),
    name: text('name'),
    deviceName: text('device_name'),
    ipAddress: text('ip_address'),
    userAgent: text('user_agent'),
  },
  // Exactly one of the two ids, as num_nonnulls(…) = 1 says on Postgres.
  (table) => [check('token_metadata_one_token', sql`(${table.refreshTokenId} is null) <> (${table.sessionId} is null)`)],
)

/**
 * The account activity page's rows on SQLite (D1), as demo/schema.ts's `authActivity` on Postgres: written by
 * the `onEvent` handler (demo/activity.ts); no foreign key, the history outlives the tokens.
 *
 * @example
 * ```ts
 * const rows = await drizzle(env.DB).select().from(authActivity).where(eq(authActivity.authUserId, 'alice'))
 * ```
 */
export const authActivity = sqliteTable(
  'auth_activity',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    type: text('type').notNull(),
    authUserId: text('auth_user_id'),
    tokenId: text('token_id'),
    detail: text('detail', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    ipAddress: text('ip_address'),
    userAgent: text('user_agent'),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
  },
  (table) => [index('auth_activity_user_at').on(table.authUserId, table.at), index('auth_activity_token').on(table.tokenId)],
)
