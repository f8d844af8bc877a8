// The demo's own table: the seed's TokenMetadata, related to both token tables with cascading deletes,
// so revoking a token (or signing out everywhere) removes its metadata in the same statement.
import { sql } from 'drizzle-orm'
import { check, index, jsonb, pgTable, serial, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { authRefreshToken, authSession } from '../src/drizzle/schema.ts'

/**
 * Who created a token, from where: one row per refresh token (JWT sign-ins and PATs) or session.
 *
 * @example
 * ```ts
 * const rows = await db.select().from(tokenMetadata).where(eq(tokenMetadata.deviceName, 'Old Device'))
 * for (const row of rows) await auth.tokenManager.revokeToken({ tokenId: (row.refreshTokenId ?? row.sessionId)! })
 * ```
 */
export const tokenMetadata = pgTable(
  'token_metadata',
  {
    id: serial('id').primaryKey(),
    refreshTokenId: uuid('refresh_token_id').references(() => authRefreshToken.id, { onDelete: 'cascade' }).unique(),
    sessionId: uuid('session_id').references(() => authSession.id, { onDelete: 'cascade' }).unique(),
    name: text('name'),
    deviceName: text('device_name'),
    ipAddress: text('ip_address'),
    userAgent: text('user_agent'),
  },
  (table) => [check('token_metadata_one_token', sql`num_nonnulls(${table.refreshTokenId}, ${table.sessionId}) = 1`)],
)

/**
 * The account activity page's rows, written by the `onEvent` handler (demo/activity.ts): sign-ins,
 * refreshes, revocations and reuse detections. No foreign key: the history outlives the tokens. A
 * revocation by token id has no user; the page finds it through the sign-in of that token.
 *
 * @example
 * ```ts
 * const rows = await db.select().from(authActivity).where(eq(authActivity.authUserId, 'alice')).orderBy(desc(authActivity.at))
 * ```
 */
export const authActivity = pgTable(
  'auth_activity',
  {
    id: serial('id').primaryKey(),
    type: text('type').notNull(),
    authUserId: text('auth_user_id'),
    tokenId: text('token_id'),
    /** The event's own detail: method, reason, grace retry, time since the rotation. */
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull(),
    ipAddress: text('ip_address'),
    userAgent: text('user_agent'),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (table) => [index('auth_activity_user_at').on(table.authUserId, table.at), index('auth_activity_token').on(table.tokenId)],
)
