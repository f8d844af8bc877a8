// Deno and Bun run this file directly: the SQLite conformance cases on sqliteTokenStore over a WAL file
// database in a temp dir, with the shipped SQLite migrations (drizzle/sqlite/), the report printed as one
// JSON line. Deno uses libSQL (@libsql/client, a Node-API addon), Bun its own `bun:sqlite`; each is imported
// only in its runtime, so neither needs the other's driver.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sqliteTokenStore, type AnySQLiteDatabase } from 'edge-token-managers/sqlite'
import { runConformance, type ConformanceContext } from '../conformance/index.ts'
import { reportMarker } from './report.ts'

interface SqliteFile {
  driver: string
  db: AnySQLiteDatabase
  close(): void
}

const migrationsFolder = fileURLToPath(new URL('../../drizzle/sqlite', import.meta.url))

async function openBunSqlite(file: string): Promise<SqliteFile> {
  const { Database } = await import('bun:sqlite')
  const { drizzle } = await import('drizzle-orm/bun-sqlite')
  const { migrate } = await import('drizzle-orm/bun-sqlite/migrator')
  const client = new Database(file, { create: true })
  client.run('pragma journal_mode = WAL')
  client.run('pragma foreign_keys = ON')
  const db = drizzle(client)
  migrate(db, { migrationsFolder })
  return { driver: 'bun-sqlite', db, close: () => client.close() }
}

async function openLibsql(file: string): Promise<SqliteFile> {
  const { createClient } = await import('@libsql/client')
  const { drizzle } = await import('drizzle-orm/libsql')
  const { migrate } = await import('drizzle-orm/libsql/migrator')
  const client = createClient({ url: `file:${file}` })
  await client.execute('pragma journal_mode = WAL')
  await client.execute('pragma foreign_keys = ON')
  const db = drizzle(client)
  await migrate(db, { migrationsFolder })
  return { driver: 'libsql', db, close: () => client.close() }
}

const runtime = 'Deno' in globalThis ? 'deno' : 'Bun' in globalThis ? 'bun' : 'unknown'
const dir = mkdtempSync(join(tmpdir(), 'etm-conformance-'))
try {
  const database = runtime === 'bun' ? await openBunSqlite(join(dir, 'auth.db')) : await openLibsql(join(dir, 'auth.db'))
  const { db } = database
  const report = await runConformance({
    runtime: `${runtime}-sqlite`, driver: database.driver, dialect: 'sqlite',
    db: db as unknown as ConformanceContext['db'], store: () => sqliteTokenStore(db),
  })
  database.close()
  console.log(reportMarker + JSON.stringify(report))
} finally {
  rmSync(dir, { recursive: true, force: true })
}
