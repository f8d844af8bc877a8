// @ts-check
// Where `migrate` keeps this package's migration history, per SQL dialect, and how it asks whether a table
// exists. Never Drizzle's default table (`__drizzle_migrations`): an app's own history there, with later
// timestamps, would make drizzle's migrator skip this package's migrations.
import { fileURLToPath } from 'node:url'

/**
 * @typedef {{
 *   folder: string, // the shipped migrations, absolute
 *   config: { migrationsSchema?: string, migrationsTable: string },
 *   historyTable: string,
 *   sharedHistoryTable: string | undefined,
 *   missingHint: string,
 *   tableExists(database: import('./drivers.js').Database, table: string): Promise<boolean>,
 *   ownRows(database: import('./drivers.js').Database): Promise<Record<string, unknown>[]>,
 *   sharedRows(database: import('./drivers.js').Database): Promise<Record<string, unknown>[]>,
 *   createHistory(database: import('./drivers.js').Database): Promise<void>,
 * }} Dialect
 */

/** The history table's name in both dialects. */
export const historyTableName = '__edge_token_managers_migrations'

/** `"schema"."name"` or `"name"` → its parts, unquoted. @param {string} table */
const partsOf = (table) => table.split('.').map((part) => part.replace(/^"|"$/g, ''))

/**
 * Rows of `text`, or none when its table or schema does not exist yet (42P01, 3F000).
 * @param {import('./drivers.js').Database} database
 * @param {string} text
 */
async function pgRowsIfPresent(database, text) {
  try {
    return await database.query(text)
  } catch (error) {
    const code = /** @type {{ code?: string }} */ (error).code
    if (code === '3F000' || code === '42P01') return []
    throw error
  }
}

const pgHistory = `"drizzle"."${historyTableName}"`

/** @type {Dialect} */
const postgresql = {
  folder: fileURLToPath(new URL('../drizzle', import.meta.url)),
  config: { migrationsSchema: 'drizzle', migrationsTable: historyTableName },
  historyTable: pgHistory,
  // Versions before this one recorded the package's migrations in Drizzle's default table.
  sharedHistoryTable: '"drizzle"."__drizzle_migrations"',
  missingHint: 'dropped, or another search_path',
  async tableExists(database, table) {
    const [row] = await database.query(`select to_regclass($1) is not null as present`, [table])
    return row?.present === true || row?.present === 't'
  },
  ownRows: (database) => pgRowsIfPresent(database, `select hash, created_at from ${pgHistory}`),
  sharedRows: (database) => pgRowsIfPresent(database, `select hash from "drizzle"."__drizzle_migrations"`),
  async createHistory(database) {
    // As drizzle's migrator creates them on its first run.
    await database.query(`create schema if not exists "drizzle"`)
    await database.query(`create table if not exists ${pgHistory} (id serial primary key, hash text not null, created_at bigint)`)
  },
}

/** @param {import('./drivers.js').Database} database @param {string} table */
async function sqliteTableExists(database, table) {
  const parts = partsOf(table)
  const [schema, name] = parts.length === 2 ? parts : ['main', parts[0]]
  if (!/^\w+$/.test(/** @type {string} */ (schema))) throw new Error(`Unexpected schema in ${table}.`)
  const rows = await database.query(`select 1 as present from "${schema}".sqlite_master where type = 'table' and name = ?`, [name])
  return rows.length > 0
}

/** @type {Dialect} */
const sqlite = {
  folder: fileURLToPath(new URL('../drizzle/sqlite', import.meta.url)),
  config: { migrationsTable: historyTableName },
  historyTable: `"${historyTableName}"`,
  sharedHistoryTable: undefined, // no earlier version migrated SQLite: nothing to adopt
  missingHint: 'dropped, or another database file',
  tableExists: sqliteTableExists,
  async ownRows(database) {
    if (!(await sqliteTableExists(database, historyTableName))) return []
    return database.query(`select hash, created_at from "${historyTableName}"`)
  },
  sharedRows: async () => [],
  createHistory: async () => {},
}

/**
 * The migrations, history and lookups for a target: SQLite's for libSQL, Postgres' otherwise.
 * @example dialectFor(parseDatabaseUrl('file:./auth.db')).historyTable // '"__edge_token_managers_migrations"'
 * @param {import('./database-url.js').DatabaseTarget} target
 * @returns {Dialect}
 */
export const dialectFor = (target) => (target.kind === 'libsql' || target.kind === 'd1' ? sqlite : postgresql)

/** Tables a migration creates, as `"schema"."name"` or `"name"` (SQLite's backticks become double quotes). @param {{ sql: string[] }} migration */
export const tablesCreatedBy = (migration) =>
  [...migration.sql.join('\n').matchAll(/CREATE TABLE (?:IF NOT EXISTS )?((?:["`][^"`]+["`]\.)?["`][^"`]+["`])/gi)].map((match) => /** @type {string} */ (match[1]).replaceAll('`', '"'))
