// @ts-check
// `migrate`: applies the package's migrations (drizzle/ to Postgres, drizzle/sqlite/ to libSQL). Their
// history lives in a table of its own, so an app's own Drizzle migrations (in __drizzle_migrations) never
// hide them, and "up to date" is only said once the tables the applied migrations create really exist.
// D1 is migrated by wrangler: for a d1: target the command prints what to run.
import { existsSync } from 'node:fs'
import { relative, sep } from 'node:path'
import { connect, optionalImport } from './drivers.js'
import { describeTarget, redactSecrets } from './database-url.js'
import { dialectFor, tablesCreatedBy } from './history.js'

/** @typedef {{ sql: string[], folderMillis: number, hash: string }} Migration */

/** A failure that is the database's state, not a crash: printed as is, exit 1. */
export class MigrationStateError extends Error {}

/**
 * Migrations recorded in this package's history, and its rows in drizzle's shared table (older versions wrote there).
 * @param {import('./history.js').Dialect} dialect
 * @param {import('./drivers.js').Database} database
 * @param {Migration[]} migrations
 */
async function recordedMigrations(dialect, database, migrations) {
  const own = await dialect.ownRows(database)
  const last = Math.max(0, ...own.map((row) => Number(row.created_at)))
  // As drizzle's migrator decides: everything up to the newest recorded timestamp counts as applied.
  if (own.length > 0) return { recorded: migrations.filter((m) => m.folderMillis <= last), adopted: [] }
  const hashes = new Set((await dialect.sharedRows(database)).map((row) => String(row.hash)))
  const adopted = migrations.filter((m) => hashes.has(m.hash))
  return { recorded: adopted, adopted }
}

/**
 * The tables (of `tables`) that exist, or that do not.
 * @param {import('./history.js').Dialect} dialect @param {import('./drivers.js').Database} database @param {string[]} tables @param {boolean} present
 */
async function tablesWhere(dialect, database, tables, present) {
  const found = []
  for (const table of tables) if ((await dialect.tableExists(database, table)) === present) found.push(table)
  return found
}

/**
 * Checks the history against the tables, then migrates. Throws MigrationStateError when they disagree.
 * @param {import('./history.js').Dialect} dialect
 * @param {import('./drivers.js').Database} database
 * @returns {Promise<string>} what was done, one line
 */
async function migrateChecked(dialect, database) {
  const { readMigrationFiles } = await optionalImport(() => import('drizzle-orm/migrator'), 'drizzle-orm')
  const migrationsFolder = dialect.folder
  const migrations = readMigrationFiles({ migrationsFolder })
  const { historyTable } = dialect
  const { recorded, adopted } = await recordedMigrations(dialect, database, migrations)
  const pending = migrations.filter((m) => !recorded.includes(m))
  const missing = await tablesWhere(dialect, database, recorded.flatMap(tablesCreatedBy), false)
  if (missing.length > 0) {
    throw new MigrationStateError(
      `The history in ${historyTable} says ${recorded.length} migration(s) ran, but table(s) ${missing.join(', ')} do not exist ` +
        `(${dialect.missingHint}). Nothing changed. To start again, drop this package's remaining tables ` +
        `(their rows are lost) and ${historyTable}, then run migrate again.`,
    )
  }
  const clashing = await tablesWhere(dialect, database, pending.flatMap(tablesCreatedBy), true)
  if (clashing.length > 0) {
    throw new MigrationStateError(
      `Table(s) ${clashing.join(', ')} already exist, but ${historyTable} does not record the migration that creates them: ` +
        `they were made another way (e.g. your own drizzle-kit migrations with this package's schema). Nothing changed; keep migrating them that way.`,
    )
  }
  if (adopted.length > 0) {
    // Created here so the rows can move before drizzle's migrator looks.
    await dialect.createHistory(database)
    for (const m of adopted) await database.query(`insert into ${historyTable} (hash, created_at) values ($1, $2)`, [m.hash, m.folderMillis])
  }
  await database.migrate({ migrationsFolder, ...dialect.config })
  const absent = await tablesWhere(dialect, database, migrations.flatMap(tablesCreatedBy), false)
  if (absent.length > 0) throw new MigrationStateError(`The migrations ran, yet table(s) ${absent.join(', ')} do not exist (${dialect.missingHint}?).`)
  const moved = adopted.length > 0 ? `Moved ${adopted.length} migration(s) of this package from ${dialect.sharedHistoryTable} to ${historyTable}. ` : ''
  const applied = pending.length
  return `${moved}${applied === 0 ? 'Already up to date' : `Applied ${applied} migration(s)`} (${migrations.length} in total; tables: ${migrations.flatMap(tablesCreatedBy).join(', ')}).`
}

/**
 * What to run for a D1 database: wrangler applies the SQLite migrations and keeps its own history (d1_migrations).
 * @example d1Instructions('auth', '/app/node_modules/edge-token-managers/drizzle/sqlite')
 * @param {string} database
 * @param {string} folder the package's drizzle/sqlite, absolute
 */
export function d1Instructions(database, folder) {
  // wrangler resolves migrations_dir against wrangler.toml's folder: the working directory, as npx runs.
  const dir = relative(process.cwd(), folder).split(sep).join('/')
  return [
    `D1 databases are migrated by wrangler, which keeps its own history (the d1_migrations table). Point the`,
    `database's migrations_dir at this package's SQLite migrations, in wrangler.toml's [[d1_databases]] entry:`,
    ``,
    `  migrations_dir = "${dir}"`,
    ``,
    `(in wrangler.json: "migrations_dir": "${dir}"), then apply them:`,
    ``,
    `  npx wrangler d1 migrations apply ${database} --local`,
    `  npx wrangler d1 migrations apply ${database} --remote`,
    ``,
    `If that database already has a migrations_dir of its own, declare the tables in your schema with`,
    `tokenTables (edge-token-managers/sqlite) so your drizzle-kit migrations create them.`,
  ].join('\n')
}

/**
 * Runs `migrate` against the target; prints only redacted URLs and messages.
 * @example await migrateCommand(parseDatabaseUrl('file:./auth.db'), 'libsql')
 * @param {import('./database-url.js').DatabaseTarget} target
 * @param {import('./drivers.js').DriverName | undefined} driver none for D1
 */
export async function migrateCommand(target, driver) {
  const dialect = dialectFor(target)
  const migrationsFolder = dialect.folder
  if (!existsSync(`${migrationsFolder}/meta/_journal.json`)) throw new Error(`No migrations at ${migrationsFolder} (is the package installed completely?).`)
  if (target.kind === 'd1') return void console.log(d1Instructions(target.database, migrationsFolder))
  if (driver === undefined) throw new Error('migrate needs a driver.')
  console.log(`Applying migrations from ${migrationsFolder} to ${describeTarget(target)} with ${driver}…`)
  try {
    const database = await connect(target, driver)
    try {
      console.log(await migrateChecked(dialect, database))
    } finally {
      await database.close()
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    // fetch's "fetch failed" (libSQL over HTTP) says why only in its cause.
    const cause = error instanceof Error && error.cause instanceof Error && !message.includes(error.cause.message) ? ` (${error.cause.message})` : ''
    throw new Error(`Migration failed: ${redactSecrets(`${message}${cause}`, target)}`)
  }
}
