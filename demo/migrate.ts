// Applies the library's migrations (../drizzle) and then the demo's (./drizzle), each folder with its own
// bookkeeping table so their histories never mix. Node only (reads the folders from disk).
//
//   DATABASE_URL=postgres://… npm run demo:migrate    # e.g. your Neon database before `wrangler deploy`
import { fileURLToPath } from 'node:url'

/** What drizzle's `migrate(db, config)` takes, for either folder. */
export interface MigrationFolder {
  migrationsFolder: string
  migrationsTable?: string
}

/** The library's tables first (the demo's table references them), then the demo's. */
export const migrationFolders: readonly MigrationFolder[] = [
  { migrationsFolder: fileURLToPath(new URL('../drizzle', import.meta.url)) },
  { migrationsFolder: fileURLToPath(new URL('./drizzle', import.meta.url)), migrationsTable: '__demo_migrations' },
]

/**
 * Runs both folders with a driver's `migrate` (node-postgres, PGlite, neon-http).
 *
 * @example
 * ```ts
 * import { migrate } from 'drizzle-orm/pglite/migrator'
 * await migrateDemo((folder) => migrate(db, folder))
 * ```
 */
export async function migrateDemo(migrate: (folder: MigrationFolder) => Promise<void>): Promise<void> {
  for (const folder of migrationFolders) await migrate(folder)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const url = process.env.DATABASE_URL
  if (!url) {
    console.error('Set DATABASE_URL to the Postgres database to migrate (Neon: the connection string from its console).')
    process.exit(1)
  }
  const { default: pg } = await import('pg')
  const { drizzle } = await import('drizzle-orm/node-postgres')
  const { migrate } = await import('drizzle-orm/node-postgres/migrator')
  // A one-off run: an unreachable or hung server fails the connect instead of hanging the command, and a
  // dropped idle connection is reported rather than crashing it. No query deadline: migrations may be slow.
  const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 10_000, keepAlive: true })
  pool.on('error', (error) => console.error('database connection failed:', error.message))
  try {
    await migrateDemo((folder) => migrate(drizzle(pool), folder))
    console.log(`Migrated ${new URL(url).host}${new URL(url).pathname}`)
  } finally {
    await pool.end()
  }
}
