// @ts-check
// `migrate`: applies the package's drizzle/ migrations. Their history lives in a table of its own, so an
// app's own Drizzle migrations (in drizzle.__drizzle_migrations) never hide them, and "up to date" is
// only said once the tables the applied migrations create really exist.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { connect, optionalImport } from './drivers.js'
import { describeTarget, redactSecrets } from './database-url.js'

/** Where the history of this package's migrations is kept (drizzle's migrator creates it). */
export const history = { migrationsSchema: 'drizzle', migrationsTable: '__edge_token_managers_migrations' }
const historyTable = `"${history.migrationsSchema}"."${history.migrationsTable}"`
/** Drizzle's default history table, where versions before this one recorded the package's migrations. */
const sharedHistoryTable = '"drizzle"."__drizzle_migrations"'

/** @typedef {{ sql: string[], folderMillis: number, hash: string }} Migration */

/** A failure that is the database's state, not a crash: printed as is, exit 1. */
export class MigrationStateError extends Error {}

/** Tables a migration creates, as `"schema"."name"` or `"name"` (resolved by the search path, as the migration is). @param {Migration} migration */
const tablesCreatedBy = (migration) =>
  [...migration.sql.join('\n').matchAll(/CREATE TABLE (?:IF NOT EXISTS )?((?:"[^"]+"\.)?"[^"]+")/gi)].map((match) => /** @type {string} */ (match[1]))

/**
 * Rows of `query`, or none when its table or schema does not exist yet (42P01, 3F000).
 * @param {import('./drivers.js').Database} database
 * @param {string} text
 */
async function rowsIfPresent(database, text) {
  try {
    return await database.query(text)
  } catch (error) {
    const code = /** @type {{ code?: string }} */ (error).code
    if (code === '3F000' || code === '42P01') return []
    throw error
  }
}

/** @param {import('./drivers.js').Database} database @param {string} table */
async function tableExists(database, table) {
  const [row] = await database.query(`select to_regclass($1) is not null as present`, [table])
  return row?.present === true || row?.present === 't'
}

/** Migrations recorded in this package's history, and its rows in drizzle's shared table (older versions wrote there). */
async function recordedMigrations(/** @type {import('./drivers.js').Database} */ database, /** @type {Migration[]} */ migrations) {
  const own = await rowsIfPresent(database, `select hash, created_at from ${historyTable}`)
  const last = Math.max(0, ...own.map((row) => Number(row.created_at)))
  // As drizzle's migrator decides: everything up to the newest recorded timestamp counts as applied.
  if (own.length > 0) return { recorded: migrations.filter((m) => m.folderMillis <= last), adopted: [] }
  const hashes = new Set((await rowsIfPresent(database, `select hash from ${sharedHistoryTable}`)).map((row) => String(row.hash)))
  const adopted = migrations.filter((m) => hashes.has(m.hash))
  return { recorded: adopted, adopted }
}

/**
 * Checks the history against the tables, then migrates. Throws MigrationStateError when they disagree.
 * @param {import('./drivers.js').Database} database
 * @param {string} migrationsFolder
 * @returns {Promise<string>} what was done, one line
 */
async function migrateChecked(database, migrationsFolder) {
  const { readMigrationFiles } = await optionalImport(() => import('drizzle-orm/migrator'), 'drizzle-orm')
  const migrations = readMigrationFiles({ migrationsFolder })
  const { recorded, adopted } = await recordedMigrations(database, migrations)
  const pending = migrations.filter((m) => !recorded.includes(m))
  const missing = []
  for (const table of recorded.flatMap(tablesCreatedBy)) if (!(await tableExists(database, table))) missing.push(table)
  if (missing.length > 0) {
    throw new MigrationStateError(
      `The history in ${historyTable} says ${recorded.length} migration(s) ran, but table(s) ${missing.join(', ')} do not exist ` +
        `(dropped, or another search_path). Nothing changed. To start again, drop this package's remaining tables ` +
        `(their rows are lost) and ${historyTable}, then run migrate again.`,
    )
  }
  const clashing = []
  for (const table of pending.flatMap(tablesCreatedBy)) if (await tableExists(database, table)) clashing.push(table)
  if (clashing.length > 0) {
    throw new MigrationStateError(
      `Table(s) ${clashing.join(', ')} already exist, but ${historyTable} does not record the migration that creates them: ` +
        `they were made another way (e.g. your own drizzle-kit migrations with this package's schema). Nothing changed; keep migrating them that way.`,
    )
  }
  if (adopted.length > 0) {
    // Written by drizzle's migrator on its first run; created here so the rows can move first.
    await database.query(`create schema if not exists "${history.migrationsSchema}"`)
    await database.query(`create table if not exists ${historyTable} (id serial primary key, hash text not null, created_at bigint)`)
    for (const m of adopted) await database.query(`insert into ${historyTable} (hash, created_at) values ($1, $2)`, [m.hash, m.folderMillis])
  }
  await database.migrate({ migrationsFolder, ...history })
  const absent = []
  for (const table of migrations.flatMap(tablesCreatedBy)) if (!(await tableExists(database, table))) absent.push(table)
  if (absent.length > 0) throw new MigrationStateError(`The migrations ran, yet table(s) ${absent.join(', ')} do not exist: check the database's search_path.`)
  const moved = adopted.length > 0 ? `Moved ${adopted.length} migration(s) of this package from ${sharedHistoryTable} to ${historyTable}. ` : ''
  const applied = pending.length
  return `${moved}${applied === 0 ? 'Already up to date' : `Applied ${applied} migration(s)`} (${migrations.length} in total; tables: ${migrations.flatMap(tablesCreatedBy).join(', ')}).`
}

/**
 * Runs `migrate` against the target; prints only redacted URLs and messages.
 * @example await migrateCommand(parseDatabaseUrl('pglite://./data'), 'pglite')
 * @param {import('./database-url.js').DatabaseTarget} target
 * @param {import('./drivers.js').DriverName} driver
 */
export async function migrateCommand(target, driver) {
  const migrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url))
  if (!existsSync(`${migrationsFolder}/meta/_journal.json`)) throw new Error(`No migrations at ${migrationsFolder} (is the package installed completely?).`)
  console.log(`Applying migrations from ${migrationsFolder} to ${describeTarget(target)} with ${driver}…`)
  try {
    const database = await connect(target, driver)
    try {
      console.log(await migrateChecked(database, migrationsFolder))
    } finally {
      await database.close()
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    throw new Error(`Migration failed: ${redactSecrets(message, target)}`)
  }
}
