// Where the demo keeps its data, on either SQL dialect: the library's store and the demo's token_metadata
// table. A dialect adds only its primitives (the store factory and the table); the demo's three metadata
// queries are written once below, over the query builders both Drizzle dialects share.
import { inArray, or, type Column, type SQL, type SQLWrapper } from 'drizzle-orm'
import type { StorageError, StorageUnavailableError, TokenStore } from '../src/index.ts'
import { drizzleTokenStore, type AnyPgDatabase } from '../src/drizzle/index.ts'
import { sqliteTokenStore, type AnySQLiteDatabase } from '../src/sqlite/index.ts'
// The stores' own failure mappings (internal): a database down is 503 for the demo's queries too.
import { storageFailure } from '../src/drizzle/errors.ts'
import { sqliteFailure } from '../src/sqlite/errors.ts'
import { authActivity as pgAuthActivity, tokenMetadata as pgTokenMetadata } from './schema.ts'
import { authActivity as sqliteAuthActivity, tokenMetadata as sqliteTokenMetadata } from './schema-sqlite.ts'

/** One row of token_metadata, as both dialects read it. */
export interface TokenMetadataRow {
  id: number
  refreshTokenId: string | null
  sessionId: string | null
  name: string | null
  deviceName: string | null
  ipAddress: string | null
  userAgent: string | null
}

/** A row to write: exactly one of the two token ids (the table's check constraint). */
export type NewTokenMetadata = Omit<TokenMetadataRow, 'id' | 'refreshTokenId' | 'sessionId'> &
  ({ refreshTokenId: string; sessionId?: null } | { sessionId: string; refreshTokenId?: null })

type MetadataTable = typeof pgTokenMetadata | typeof sqliteTokenMetadata
type MetadataInsert = SQLWrapper & PromiseLike<unknown> & { onConflictDoUpdate(config: { target: Column; set: NewTokenMetadata }): PromiseLike<unknown> }

/** What the queries use of a Drizzle database: builders Postgres and SQLite both have, with the same shapes. */
interface MetadataDatabase {
  insert(table: MetadataTable): { values(row: NewTokenMetadata): MetadataInsert }
  select(): { from(table: MetadataTable): { where(where: SQL | undefined): PromiseLike<TokenMetadataRow[]> } }
}

/** The demo's storage on one database: what `createDemoServices` and the API use. */
export interface DemoStorage {
  /** The library's token store on that database. */
  store: TokenStore<any>
  readonly tokenMetadata: MetadataTable
  /** The activity page's table (demo/activity.ts). */
  readonly authActivity: typeof pgAuthActivity | typeof sqliteAuthActivity
  /** The dialect's typed error for a failed query (unavailable: 503, or rejected: 500). */
  failure(error: unknown): StorageError | StorageUnavailableError
}

/**
 * Postgres (node-postgres, PGlite, neon-http): the library's `drizzle/` tables plus demo/schema.ts.
 *
 * @example
 * ```ts
 * const services = createDemoServices(postgresStorage(drizzle(neon(env.DATABASE_URL))), env)
 * ```
 */
export const postgresStorage = (db: AnyPgDatabase): DemoStorage =>
  ({ store: drizzleTokenStore(db), tokenMetadata: pgTokenMetadata, authActivity: pgAuthActivity, failure: storageFailure })

/**
 * SQLite (D1): the library's `drizzle/sqlite/` tables plus demo/schema-sqlite.ts.
 *
 * @example
 * ```ts
 * const services = createDemoServices(sqliteStorage(drizzle(env.DB)), env)
 * ```
 */
export const sqliteStorage = (db: AnySQLiteDatabase): DemoStorage =>
  ({ store: sqliteTokenStore(db), tokenMetadata: sqliteTokenMetadata, authActivity: sqliteAuthActivity, failure: sqliteFailure })

// The one loose edge: each dialect's database has these builders, but TypeScript cannot call a method
// on a union of the two database types.
const queries = (db: unknown) => db as MetadataDatabase

const run = async <T>(storage: DemoStorage, query: PromiseLike<T>): Promise<T> => {
  try {
    return await query
  } catch (error) {
    throw storage.failure(error)
  }
}

/**
 * The insert of a token's metadata row, for the creation callbacks: the store runs it atomically with the
 * token row (on the callback's `db`, which may be a transaction).
 *
 * @example
 * ```ts
 * onSessionCreated: ({ sessionId, db }) => [insertMetadata(storage, db, { sessionId, ...info })]
 * ```
 */
export const insertMetadata = (storage: DemoStorage, db: unknown, row: NewTokenMetadata): SQLWrapper =>
  queries(db).insert(storage.tokenMetadata).values(row)

/**
 * The metadata rows of these tokens (refresh tokens or sessions). Rejects with the dialect's typed error.
 *
 * @example
 * ```ts
 * const rows = await metadataOf(storage, tokens.map((t) => t.tokenId))
 * ```
 */
export const metadataOf = (storage: DemoStorage, tokenIds: string[]): Promise<TokenMetadataRow[]> => {
  const table = storage.tokenMetadata
  return run(storage, queries(storage.store.db).select().from(table).where(or(inArray(table.refreshTokenId, tokenIds), inArray(table.sessionId, tokenIds))))
}

/**
 * Writes a refresh token's metadata over the row its creation callback wrote (a PAT's own name and device).
 * Rejects with the dialect's typed error.
 *
 * @example
 * ```ts
 * await saveRefreshTokenMetadata(storage, { refreshTokenId, name: 'CI', deviceName: null, ipAddress: null, userAgent: null })
 * ```
 */
export const saveRefreshTokenMetadata = async (storage: DemoStorage, row: NewTokenMetadata & { refreshTokenId: string }): Promise<void> =>
  void (await run(storage, queries(storage.store.db).insert(storage.tokenMetadata).values(row).onConflictDoUpdate({ target: storage.tokenMetadata.refreshTokenId, set: row })))
