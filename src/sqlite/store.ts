import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core'
import type { TokenStore } from '../managers/storage.ts'
import { sqlTokenStore, type SqlTokenStoreOptions } from '../sql/token-store.ts'
import { sqliteDialect } from './dialect.ts'
import { tokenTables, type TokenTables } from './schema.ts'

/** Any Drizzle SQLite database: D1, Durable Object storage, libSQL / Turso, better-sqlite3, bun:sqlite. */
export type AnySQLiteDatabase = BaseSQLiteDatabase<'sync' | 'async', any, any>

export interface SqliteTokenStoreOptions extends SqlTokenStoreOptions {
  /** The tables, when the app declares them in its own schema with `tokenTables(…)`. Default: `auth_refresh_token` and `auth_session`. */
  tables?: TokenTables
}

const defaultTables: TokenTables = tokenTables()

/**
 * The token store for Drizzle on SQLite, with the Postgres store's invariants: stored-state rules on the
 * database's clock, rotation as one compare-and-swap UPDATE, callback writes atomic with the insert (a
 * batch on D1 and libSQL, a transaction elsewhere), a deadline on every operation. Round trips on D1:
 * session validate 1, issue (with callback writes) 1, refresh 2, list 1, revoke 1. With D1 read replication,
 * give it a session that starts on the primary (see docs/sqlite.md).
 *
 * @example
 * ```ts
 * import { drizzle } from 'drizzle-orm/d1'
 * const store = sqliteTokenStore(drizzle(env.DB.withSession('first-primary')))
 * const auth = initializeAuthServices({ store, tokenManagerBuilders })
 * ```
 */
export function sqliteTokenStore<TDb extends AnySQLiteDatabase>(db: TDb, options: SqliteTokenStoreOptions = {}): TokenStore<TDb> {
  return sqlTokenStore(db, sqliteDialect, options.tables ?? defaultTables, options)
}
