// `migrate` keeps this package's migration history in drizzle.__edge_token_managers_migrations, beside an
// app's own Drizzle history, and says "up to date" only when the tables really exist.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { drizzle } from 'drizzle-orm/node-postgres'
import { migrate } from 'drizzle-orm/node-postgres/migrator'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { admin, createEmptyDatabase, expectedTables, historyTable, root, run, tablesOf } from './cli-support.ts'

const databases: { drop(): Promise<unknown> }[] = []
const folders: string[] = []
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()))
  for (const folder of folders) rmSync(folder, { recursive: true, force: true })
})

async function database(label: string) {
  const created = await createEmptyDatabase(label)
  databases.push(created)
  return created
}

/** Applies migrations from `folder` with drizzle's migrator and its default history table, as an app does. */
async function drizzleMigrate(url: string, folder: string) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await migrate(drizzle(client), { migrationsFolder: folder })
  } finally {
    await client.end()
  }
}

/** An app's own drizzle-kit folder: one migration, made later than this package's. */
function appMigrations() {
  const folder = mkdtempSync(join(tmpdir(), 'etm-app-migrations-'))
  folders.push(folder)
  mkdirSync(join(folder, 'meta'))
  const entry = { idx: 0, version: '7', when: Date.now(), tag: '0000_app', breakpoints: true }
  writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify({ version: '7', dialect: 'postgresql', entries: [entry] }))
  writeFileSync(join(folder, '0000_app.sql'), 'CREATE TABLE "app_user" ("id" text PRIMARY KEY NOT NULL);')
  return folder
}

describe('migrate beside an app’s own Drizzle migrations', () => {
  it('creates the tables when drizzle.__drizzle_migrations already holds the app’s later migration', async () => {
    const { url } = await database('app')
    const app = appMigrations()
    await drizzleMigrate(url, app)
    const result = await run(['migrate', '--url', url])
    expect(result, result.stderr).toMatchObject({ code: 0, stderr: '' })
    expect(result.stdout).toContain('Applied 2 migration(s)')
    const { tables, migrations } = await tablesOf(url)
    expect(tables).toEqual(['drizzle.__drizzle_migrations', ...expectedTables, 'public.app_user'].sort())
    expect(migrations).toBe(2)
    // The app's history is left as it was: one row, its own.
    expect(await admin((c) => c.query('select count(*)::int as n from drizzle.__drizzle_migrations'), url).then((r) => r.rows[0].n)).toBe(1)
    // And the app's next drizzle-kit run still sees itself up to date.
    await drizzleMigrate(url, app)
  })

  it('a database migrated by an earlier version (history in drizzle.__drizzle_migrations) has its history moved, nothing re-run', async () => {
    const { url } = await database('legacy')
    await drizzleMigrate(url, join(root, 'drizzle')) // what earlier versions of `migrate` did
    await admin((c) => c.query(`insert into auth_session (id, auth_user_id, method, scope_names, secret_hash, created_at, last_used_at) values (gen_random_uuid(), 'kept', 'm', '{}', '\\x00', now(), now())`), url)
    const result = await run(['migrate', '--url', url])
    expect(result, result.stderr).toMatchObject({ code: 0, stderr: '' })
    expect(result.stdout).toContain(`Moved 2 migration(s) of this package from "drizzle"."__drizzle_migrations" to "drizzle"."__edge_token_managers_migrations". Already up to date`)
    expect((await tablesOf(url)).migrations).toBe(2)
    expect(await admin((c) => c.query('select auth_user_id from auth_session'), url).then((r) => r.rows)).toEqual([{ auth_user_id: 'kept' }])
    const again = await run(['migrate', '--url', url])
    expect(again.stdout).toContain('Already up to date')
    expect(again.stdout).not.toContain('Moved')
  })
})

describe('"already applied" means the tables exist', () => {
  it('history recorded but a table dropped: exit 1, says which and how to start again, changes nothing', async () => {
    const { url } = await database('dropped')
    expect((await run(['migrate', '--url', url])).code).toBe(0)
    await admin((c) => c.query('drop table auth_session'), url)
    const result = await run(['migrate', '--url', url])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('table(s) "auth_session" do not exist')
    expect(result.stderr).toContain(`drop this package's remaining tables`)
    expect(result.stdout).not.toContain('up to date')
    expect((await tablesOf(url)).tables).toEqual([historyTable, 'public.auth_refresh_token'])
  })

  it('the tables exist without this package’s history (made another way): exit 1, nothing changed', async () => {
    const { url } = await database('foreign')
    const sql = readFileSync(join(root, 'drizzle', '0000_init.sql'), 'utf8')
    await admin((c) => c.query(sql.replaceAll('--> statement-breakpoint', '')), url)
    const result = await run(['migrate', '--url', url])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('Table(s) "auth_refresh_token", "auth_session" already exist')
    expect((await tablesOf(url)).tables).toEqual(['public.auth_refresh_token', 'public.auth_session'])
  })
})
