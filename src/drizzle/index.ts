/**
 * Drizzle storage on Postgres for edge-token-managers: the default tables, `tokenTables` to declare them in
 * your own schema (names, a Postgres schema) so drizzle-kit migrates them and your metadata tables can
 * reference them, and the store.
 *
 * @example
 * ```ts
 * import { authRefreshToken, drizzleTokenStore } from 'edge-token-managers/drizzle'
 * export const tokenMetadata = pgTable('token_metadata', {
 *   refreshTokenId: uuid('refresh_token_id').references(() => authRefreshToken.id, { onDelete: 'cascade' }).unique(),
 *   deviceName: text('device_name'),
 * })
 * ```
 */
export {
  authRefreshToken, authSession, tokenTables,
  type RefreshTokenTable, type SessionTable, type TokenTables, type TokenTablesOptions,
} from './schema.ts'
export { drizzleTokenStore, type AnyPgDatabase, type DrizzleTokenStoreOptions } from './store.ts'
export type { StoreLogger, StorageFailureDetails } from '../sql/logger.ts'
