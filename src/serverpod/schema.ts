import { bigint, boolean, json, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { bytea } from '../drizzle/schema.ts'

// Serverpod 3.4's own tables (module serverpod_auth_core), as its migrations create them: camelCase
// columns, uuid ids, UTC wall times in `timestamp without time zone`. Serverpod migrates them; this
// library never does. Only the columns the token managers use are listed.

const utc = (name: string) => timestamp(name, { mode: 'date', precision: 3 })

export const serverpodUser = pgTable('serverpod_auth_core_user', {
  id: uuid('id').primaryKey(),
  scopeNames: json('scopeNames').$type<string[]>().notNull(),
  blocked: boolean('blocked').notNull(),
})

export const serverpodRefreshToken = pgTable('serverpod_auth_core_jwt_refresh_token', {
  id: uuid('id').primaryKey(),
  authUserId: uuid('authUserId').notNull(),
  scopeNames: json('scopeNames').$type<string[]>().notNull(),
  /** JSON text of the extra claims, or null when there are none. */
  extraClaims: text('extraClaims'),
  method: text('method').notNull(),
  /** Stored as is: it only proves the caller once held this family. */
  fixedSecret: bytea('fixedSecret').notNull(),
  /** Argon2id PHC string. */
  rotatingSecretHash: text('rotatingSecretHash').notNull(),
  lastUpdatedAt: utc('lastUpdatedAt').notNull(),
  createdAt: utc('createdAt').notNull(),
})

export const serverpodSession = pgTable('serverpod_auth_core_session', {
  id: uuid('id').primaryKey(),
  authUserId: uuid('authUserId').notNull(),
  scopeNames: json('scopeNames').$type<string[]>().notNull(),
  createdAt: utc('createdAt').notNull(),
  lastUsedAt: utc('lastUsedAt').notNull(),
  expiresAt: utc('expiresAt'),
  /** Milliseconds. */
  expireAfterUnusedFor: bigint('expireAfterUnusedFor', { mode: 'number' }),
  sessionKeyHash: bytea('sessionKeyHash').notNull(),
  sessionKeySalt: bytea('sessionKeySalt').notNull(),
  method: text('method').notNull(),
})
