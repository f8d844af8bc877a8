// Real databases for tests: a fresh database on the local PostgreSQL server per test file (so files run
// in parallel without colliding), or an embedded PGlite. Both get the committed migrations in drizzle/.
import { PGlite } from '@electric-sql/pglite'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator'
import pg from 'pg'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
export const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url))
/** Serverpod's own published migration (see its header), for `serverpodStore` tests: `{ serverpod: true }`. */
export const serverpodMigration = () => readFileSync(new URL('../serverpod/serverpod-migration.sql', import.meta.url), 'utf8')

export interface DatabaseOptions {
  migrationsFolder?: string
  /** Also create Serverpod 3.4's tables from its published migration. */
  serverpod?: boolean
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

/** Creates `etm_<label>_<random>` on the local server with the library's tables; `drop()` removes it. */
export async function createServerDatabase(label: string, options: DatabaseOptions = {}) {
  const name = `etm_${label.replace(/\W/g, '_')}_${crypto.randomUUID().slice(0, 8)}`.toLowerCase()
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  try {
    await admin.query(`create database ${name}`)
  } finally {
    await admin.end()
  }
  const url = withDatabase(serverUrl, name)
  const pool = new pg.Pool({ connectionString: url, max: 4 })
  await migratePg(drizzlePg(pool), { migrationsFolder: options.migrationsFolder ?? migrationsFolder })
  if (options.serverpod) await pool.query(serverpodMigration())
  await pool.end()
  return {
    name,
    url,
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl })
      await client.connect()
      try {
        // A pool's end() resolves before its sessions have left the server; forcing them out then makes
        // node-postgres raise an uncaught 57P01 on a client that is closing. Give them a moment first.
        for (let waited = 0; waited < 2_000; waited += 50) {
          const { rows } = await client.query('select count(*)::int as n from pg_stat_activity where datname = $1', [name])
          if (rows[0].n === 0) break
          await new Promise((resolve) => setTimeout(resolve, 50))
        }
        await client.query(`drop database if exists ${name} with (force)`)
      } finally {
        await client.end()
      }
    },
  }
}

/** An embedded PGlite (PostgreSQL 18 in WASM) with the library's tables. */
export async function createPgliteDatabase(options: DatabaseOptions = {}) {
  const client = new PGlite()
  const db = drizzlePglite(client)
  await migratePglite(db, { migrationsFolder: options.migrationsFolder ?? migrationsFolder })
  if (options.serverpod) await client.exec(serverpodMigration())
  return { client, db, close: () => client.close() }
}
