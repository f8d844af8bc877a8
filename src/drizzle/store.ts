import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import type { TokenStore } from '../managers/storage.ts'
import { sqlTokenStore, type SqlTokenStoreOptions } from '../sql/token-store.ts'
import { postgresDialect } from './dialect.ts'
import { tokenTables, type TokenTables } from './schema.ts'

/** Any Drizzle Postgres database: neon-http, neon-serverless, node-postgres, postgres-js, PGlite. */
export type AnyPgDatabase = PgDatabase<PgQueryResultHKT, any, any>

export interface DrizzleTokenStoreOptions extends SqlTokenStoreOptions {
  /** The tables, when the app declares them in its own schema with `tokenTables(…)`. Default: `auth_refresh_token` and `auth_session`. */
  tables?: TokenTables
}

const defaultTables: TokenTables = tokenTables()

/**
 * The token store for Drizzle on Postgres. Round trips: session validate 1, issue (with callback writes) 1,
 * refresh 2 (read + compare-and-swap), revokeAll 1, list 1. Every operation has a deadline (`timeout`), and
 * the cause of a failure is logged once (`logger`).
 *
 * @example
 * ```ts
 * import { drizzle } from 'drizzle-orm/neon-http'
 * const auth = initializeAuthServices({ store: drizzleTokenStore(drizzle(env.DATABASE_URL)), tokenManagerBuilders })
 * // tables in the app's schema: drizzleTokenStore(db, { tables: tokenTables({ schema: pgSchema('auth') }) })
 * ```
 */
export function drizzleTokenStore<TDb extends AnyPgDatabase>(db: TDb, options: DrizzleTokenStoreOptions = {}): TokenStore<TDb> {
  return sqlTokenStore(db, postgresDialect, options.tables ?? defaultTables, options)
}
