import { sql } from 'drizzle-orm'
import { bigint, customType, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { decodeHex, encodeHex } from '../crypto/hex.ts'

/** bytea as Uint8Array on every driver: node-postgres (Buffer), PGlite (Uint8Array), neon-http (text). */
export const bytea = customType<{ data: Uint8Array; driverData: string | Uint8Array }>({
  dataType: () => 'bytea',
  // Sent as hex text and decoded by Postgres: the one parameter form every driver passes unchanged
  // (PGlite refuses text for a bytea parameter, neon-http cannot send raw bytes).
  toDriver: (bytes) => sql`decode(${encodeHex(bytes)}, 'hex')` as unknown as string,
  fromDriver: (value) => {
    if (typeof value !== 'string') return new Uint8Array(value)
    return decodeHex(value.startsWith('\\x') ? value.slice(2) : value)
  },
})

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date', precision: 3 })

/**
 * Refresh tokens of the JwtTokenManager. Relate your own metadata to it with
 * `.references(() => authRefreshToken.id, { onDelete: 'cascade' })` so revoking deletes the metadata too.
 */
export const authRefreshToken = pgTable(
  'auth_refresh_token',
  {
    id: uuid('id').primaryKey(),
    authUserId: text('auth_user_id').notNull(),
    method: text('method').notNull(),
    scopeNames: text('scope_names').array().notNull(),
    extraClaims: jsonb('extra_claims').$type<Record<string, unknown>>(),
    fixedSecretHash: bytea('fixed_secret_hash').notNull(),
    rotatingSecretHash: bytea('rotating_secret_hash').notNull(),
    previousRotatingSecretHash: bytea('previous_rotating_secret_hash'),
    createdAt: timestamptz('created_at').notNull(),
    lastUpdatedAt: timestamptz('last_updated_at').notNull(),
  },
  // Serverpod lacks this index; list/revoke by user would scan the table.
  (table) => [index('auth_refresh_token_auth_user_id_idx').on(table.authUserId, table.method)],
)

/** Server-side sessions of the ServerSideSessionsTokenManager. Relate metadata like `authRefreshToken`. */
export const authSession = pgTable(
  'auth_session',
  {
    id: uuid('id').primaryKey(),
    authUserId: text('auth_user_id').notNull(),
    method: text('method').notNull(),
    scopeNames: text('scope_names').array().notNull(),
    secretHash: bytea('secret_hash').notNull(),
    createdAt: timestamptz('created_at').notNull(),
    lastUsedAt: timestamptz('last_used_at').notNull(),
    expiresAt: timestamptz('expires_at'),
    /** Inactivity timeout in milliseconds. */
    expireAfterUnusedForMs: bigint('expire_after_unused_for_ms', { mode: 'number' }),
  },
  (table) => [index('auth_session_auth_user_id_idx').on(table.authUserId, table.method)],
)
