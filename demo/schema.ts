// The demo's own table: the seed's TokenMetadata, related to both token tables with cascading deletes,
// so revoking a token (or signing out everywhere) removes its metadata in the same statement.
import { sql } from 'drizzle-orm'
import { check, pgTable, serial, text, uuid } from 'drizzle-orm/pg-core'
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
