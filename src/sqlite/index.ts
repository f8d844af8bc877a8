/**
 * Drizzle storage on SQLite for edge-token-managers (Cloudflare D1, Durable Objects, libSQL / Turso,
 * better-sqlite3, bun:sqlite): the default tables, `tokenTables` to declare them in your own schema, and
 * the store. Shipped migrations: `drizzle/sqlite/` (drizzle-kit output).
 *
 * @example
 * ```ts
 * import { drizzle } from 'drizzle-orm/d1'
 * import { sqliteTokenStore } from 'edge-token-managers/sqlite'
 * const auth = initializeAuthServices({ store: sqliteTokenStore(drizzle(env.DB)), tokenManagerBuilders })
 * ```
 */
export {
  authRefreshToken, authSession, tokenTables,
  type RefreshTokenTable, type SessionTable, type TokenTables, type TokenTablesOptions,
} from './schema.ts'
export { sqliteTokenStore, type AnySQLiteDatabase, type SqliteTokenStoreOptions } from './store.ts'
export type { StoreLogger, StorageFailureDetails } from '../sql/logger.ts'
