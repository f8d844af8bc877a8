// The Drizzle drivers the stores must work with, each on a real database. Postgres: embedded PGlite, and the
// local server through node-postgres, through Neon's HTTP protocol (drizzle-orm/neon-http) and through Neon's
// WebSocket driver (drizzle-orm/neon-serverless). SQLite: better-sqlite3 on a file, and D1 in Miniflare.
import { neon, neonConfig, Pool as NeonPool } from '@neondatabase/serverless'
import { drizzle as drizzleNeonHttp } from 'drizzle-orm/neon-http'
import { drizzle as drizzleNeonServerless } from 'drizzle-orm/neon-serverless'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import type { AnyPgDatabase } from '../../src/drizzle/index.ts'
import { startNeonHttpServer } from '../../scripts/neon-http/server.ts'
import { startNeonWsRelay } from './neon-ws-relay.ts'
import { createPgliteDatabase, createServerDatabase, type DatabaseOptions } from './postgres.ts'
import ws from 'ws'
import BetterSqlite3 from 'better-sqlite3'
import { drizzle as drizzleBetterSqlite } from 'drizzle-orm/better-sqlite3'
import { migrate as migrateBetterSqlite } from 'drizzle-orm/better-sqlite3/migrator'
import { drizzle as drizzleD1 } from 'drizzle-orm/d1'
import { createClient as createLibsqlClient } from '@libsql/client'
import { drizzle as drizzleLibsql } from 'drizzle-orm/libsql'
import { migrate as migrateLibsql } from 'drizzle-orm/libsql/migrator'
import { Miniflare, convertV4MiniflareOptions } from 'miniflare'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { D1Database } from '@cloudflare/workers-types'
import type { AnySQLiteDatabase } from '../../src/sqlite/index.ts'

export const driverNames = ['pglite', 'node-postgres', 'neon-http', 'neon-serverless'] as const
/** Drivers with interactive transactions (`db.transaction(async (tx) => …)`); neon-http has none. */
export const transactionalDriverNames = ['pglite', 'node-postgres', 'neon-serverless'] as const
export type DriverName = (typeof driverNames)[number]

export interface OpenDatabase {
  driver: DriverName
  db: AnyPgDatabase
  /** Runs SQL directly (bypassing the store) to inspect or tamper with rows in tests. */
  query(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>
  close(): Promise<void>
}

export async function openDatabase(driver: DriverName, options: DatabaseOptions = {}): Promise<OpenDatabase> {
  if (driver === 'pglite') {
    const { client, db, close } = await createPgliteDatabase(options)
    return { driver, db, query: async (text, params) => (await client.query<Record<string, unknown>>(text, params)).rows, close }
  }
  const database = await createServerDatabase(driver, options)
  const pool = new pg.Pool({ connectionString: database.url, max: 10 })
  // pool.end() resolves before its sockets close; `drop … with (force)` then ends those backends, and the
  // FATAL reaches a removed client whose listener re-emits it on the pool: without this, an uncaught error.
  pool.on('error', () => {})
  const query = async (text: string, params?: unknown[]) => (await pool.query(text, params)).rows
  if (driver === 'node-postgres') {
    return { driver, db: drizzlePg(pool), query, close: async () => { await pool.end(); await database.drop() } }
  }
  if (driver === 'neon-serverless') {
    const relay = await startNeonWsRelay()
    // Plain WebSockets to the local relay, which speaks TCP to the server: no TLS, no pipelining tricks.
    Object.assign(neonConfig, { wsProxy: (host: string, port: number | string) => `${relay.host}/v2?address=${host}:${port}`, useSecureWebSocket: false, pipelineTLS: false, pipelineConnect: false, webSocketConstructor: ws })
    const neonPool = new NeonPool({ connectionString: database.url, max: 10 })
    neonPool.on('error', () => {})
    return {
      driver,
      db: drizzleNeonServerless(neonPool),
      query,
      close: async () => {
        await neonPool.end()
        await relay.close()
        await pool.end()
        await database.drop()
      },
    }
  }
  const endpoint = await startNeonHttpServer({ port: 0 })
  neonConfig.fetchEndpoint = () => endpoint.url
  return {
    driver,
    db: drizzleNeonHttp(neon(database.url)),
    query,
    close: async () => {
      await endpoint.close()
      await pool.end()
      await database.drop()
    },
  }
}

// --- SQLite: better-sqlite3 and libSQL on real files (WAL), and D1 (workerd's SQLite) through Miniflare ------

export const sqliteDriverNames = ['better-sqlite3', 'libsql', 'd1'] as const
export type SqliteDriverName = (typeof sqliteDriverNames)[number]
export const sqliteMigrationsFolder = fileURLToPath(new URL('../../drizzle/sqlite', import.meta.url))

export interface OpenSqliteDatabase {
  driver: SqliteDriverName
  db: AnySQLiteDatabase
  /** Runs SQL directly (bypassing the store); `?` placeholders. */
  query(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>
  /** The D1 binding itself (D1 only). */
  d1?: D1Database
  /** The database file (better-sqlite3, libSQL): other processes may open it. */
  file?: string
  close(): Promise<void>
}

/** The migrations as `wrangler d1 migrations apply` runs them locally: each file's statements, in order, as one batch. */
export async function applyD1Migrations(d1: D1Database, folder = sqliteMigrationsFolder): Promise<void> {
  for (const file of readdirSync(folder).filter((name) => /^\d+_.*\.sql$/.test(name)).sort()) {
    const statements = readFileSync(join(folder, file), 'utf8').split('--> statement-breakpoint').map((s) => s.trim()).filter(Boolean)
    await d1.batch(statements.map((statement) => d1.prepare(statement)))
  }
}

/** A fresh SQLite database with the shipped SQLite migrations (or `migrationsFolder`'s) applied. */
export async function openSqliteDatabase(driver: SqliteDriverName, options: { migrationsFolder?: string } = {}): Promise<OpenSqliteDatabase> {
  const migrationsFolder = options.migrationsFolder ?? sqliteMigrationsFolder
  if (driver === 'better-sqlite3') {
    const dir = mkdtempSync(join(tmpdir(), 'etm-sqlite-'))
    const file = join(dir, 'auth.db')
    const client = new BetterSqlite3(file)
    client.pragma('journal_mode = WAL')
    client.pragma('foreign_keys = ON')
    const db = drizzleBetterSqlite(client)
    migrateBetterSqlite(db, { migrationsFolder })
    return {
      driver, db, file,
      query: async (text, params = []) => {
        const statement = client.prepare(text)
        if (statement.reader) return statement.all(...params) as Record<string, unknown>[]
        statement.run(...params)
        return []
      },
      close: async () => {
        client.close()
        rmSync(dir, { recursive: true, force: true })
      },
    }
  }
  if (driver === 'libsql') {
    const dir = mkdtempSync(join(tmpdir(), 'etm-libsql-'))
    const file = join(dir, 'auth.db')
    const client = createLibsqlClient({ url: `file:${file}` })
    await client.execute('pragma journal_mode = WAL')
    await client.execute('pragma foreign_keys = ON')
    const db = drizzleLibsql(client)
    await migrateLibsql(db, { migrationsFolder })
    return {
      driver, db, file,
      query: async (text, params = []) => (await client.execute({ sql: text, args: params as never })).rows.map((row) => ({ ...row })),
      close: async () => {
        client.close()
        rmSync(dir, { recursive: true, force: true })
      },
    }
  }
  const mf = new Miniflare(convertV4MiniflareOptions({ modules: true, script: 'export default {}', d1Databases: ['DB'] }))
  const d1 = (await mf.getD1Database('DB')) as unknown as D1Database
  await applyD1Migrations(d1, migrationsFolder)
  return {
    driver, d1, db: drizzleD1(d1),
    query: async (text, params = []) => (await d1.prepare(text).bind(...params).all<Record<string, unknown>>()).results,
    close: () => mf.dispose(),
  }
}
