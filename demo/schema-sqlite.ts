// The demo's own table on SQLite (D1): the same TokenMetadata as demo/schema.ts, related to the library's
// SQLite tables with cascading deletes (D1 always enforces foreign keys), so revoking a token removes its
// metadata in the same statement. Its migrations: demo/drizzle/sqlite (drizzle.sqlite.config.ts here).
import { sql } from 'drizzle-orm'
import { check, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
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
