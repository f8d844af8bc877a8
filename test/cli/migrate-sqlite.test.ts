// `migrate` on SQLite: file: paths and libSQL URLs get drizzle/sqlite/ through @libsql/client, with the
// history in __edge_token_managers_migrations (an app's own __drizzle_migrations in the same file is left
// alone), "up to date" only when the tables exist, and authToken never printed. d1: prints wrangler's
// commands, and those commands, run as printed, create the tables in local D1.
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { afterAll, describe, expect, it } from 'vitest'
import { cli, root, run } from './cli-support.ts'

const sqliteHistory = '__edge_token_managers_migrations'
const ourTables = [sqliteHistory, 'auth_refresh_token', 'auth_session']
const dir = mkdtempSync(join(tmpdir(), 'etm-cli-sqlite-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let files = 0
/** A path for a new database file under the test folder. */
const newFile = () => join(dir, `db-${++files}.db`)

/** What is in a SQLite file: its tables, and the rows of a history table (0 when it does not exist). */
function inspect(file: string, history = sqliteHistory): { tables: string[]; migrations: number } {
  const client = new BetterSqlite3(file, { readonly: true })
  try {
    const tables = client.prepare(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`).all().map((r) => (r as { name: string }).name)
    const migrations = tables.includes(history) ? (client.prepare(`select count(*) as n from "${history}"`).get() as { n: number }).n : 0
    return { tables, migrations }
  } finally {
    client.close()
  }
}

function withClient<T>(file: string, task: (client: BetterSqlite3.Database) => T): T {
  const client = new BetterSqlite3(file)
  try {
    return task(client)
  } finally {
    client.close()
  }
}

/** An app's own drizzle-kit folder for SQLite: one migration, made later than this package's. */
function appMigrations() {
  const folder = join(dir, `app-migrations-${++files}`)
  mkdirSync(join(folder, 'meta'), { recursive: true })
  const entry = { idx: 0, version: '6', when: Date.now(), tag: '0000_app', breakpoints: true }
  writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify({ version: '7', dialect: 'sqlite', entries: [entry] }))
  writeFileSync(join(folder, '0000_app.sql'), 'CREATE TABLE `app_user` (`id` text PRIMARY KEY NOT NULL);')
  return folder
}

/** Drizzle's migrator with its default history table, as an app runs its own migrations. */
const drizzleMigrate = (file: string, folder: string) => withClient(file, (client) => migrate(drizzle(client), { migrationsFolder: folder }))

describe('migrate to a SQLite file', () => {
  it('an empty file (from DATABASE_URL) gets the tables and the history; a second run is a no-op', async () => {
    const file = newFile()
    const first = await run(['migrate'], { DATABASE_URL: `file:${file}` })
    expect(first, first.stderr).toMatchObject({ code: 0, stderr: '' })
    expect(first.stdout).toContain(`with libsql`)
    expect(first.stdout).toContain(join(root, 'drizzle', 'sqlite'))
    expect(first.stdout).toContain('Applied 1 migration(s) (1 in total; tables: "auth_refresh_token", "auth_session")')
    expect(inspect(file)).toEqual({ tables: ourTables.sort(), migrations: 1 })
    withClient(file, (c) => c.prepare(`insert into auth_session (id, auth_user_id, method, scope_names, secret_hash, created_at, last_used_at) values ('s1', 'kept', 'm', '[]', x'00', 0, 0)`).run())

    const second = await run(['migrate', '--url', `file:${file}`])
    expect(second, second.stderr).toMatchObject({ code: 0, stderr: '' })
    expect(second.stdout).toContain('Already up to date')
    expect(inspect(file)).toEqual({ tables: ourTables.sort(), migrations: 1 })
    expect(withClient(file, (c) => c.prepare('select auth_user_id from auth_session').all())).toEqual([{ auth_user_id: 'kept' }])
  })

  it('a relative file: path is relative to the working directory', async () => {
    const result = await run(['migrate', '--url', 'file:./relative.db'], {}, cli, dir)
    expect(result, result.stderr).toMatchObject({ code: 0, stderr: '' })
    expect(result.stdout).toContain('to file:./relative.db with libsql')
    expect(inspect(join(dir, 'relative.db')).migrations).toBe(1)
  })

  it('a file with the app’s own drizzle migrations (in __drizzle_migrations, later) keeps them and still gets ours', async () => {
    const file = newFile()
    const app = appMigrations()
    drizzleMigrate(file, app)
    const result = await run(['migrate', '--url', `file:${file}`])
    expect(result, result.stderr).toMatchObject({ code: 0, stderr: '' })
    expect(result.stdout).toContain('Applied 1 migration(s)')
    expect(inspect(file)).toEqual({ tables: ['__drizzle_migrations', ...ourTables, 'app_user'].sort(), migrations: 1 })
    expect(inspect(file, '__drizzle_migrations').migrations).toBe(1) // the app's history: its one row
    drizzleMigrate(file, app) // and the app's next run still sees itself up to date
    expect(inspect(file, '__drizzle_migrations').migrations).toBe(1)
  })
})

describe('"already applied" means the tables exist (SQLite)', () => {
  it('history recorded but a table dropped: exit 1, says which and how to start again, changes nothing', async () => {
    const file = newFile()
    expect((await run(['migrate', '--url', `file:${file}`])).code).toBe(0)
    withClient(file, (c) => c.exec('drop table auth_session'))
    const result = await run(['migrate', '--url', `file:${file}`])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('table(s) "auth_session" do not exist')
    expect(result.stderr).toContain(`drop this package's remaining tables`)
    expect(result.stdout).not.toContain('up to date')
    expect(inspect(file).tables).toEqual([sqliteHistory, 'auth_refresh_token'])
  })

  it('the tables exist without this package’s history (made another way): exit 1, nothing changed', async () => {
    const file = newFile()
    withClient(file, (c) => c.exec(readFileSync(join(root, 'drizzle', 'sqlite', '0000_init.sql'), 'utf8').replaceAll('--> statement-breakpoint', '')))
    const result = await run(['migrate', '--url', `file:${file}`])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('Table(s) "auth_refresh_token", "auth_session" already exist')
    expect(inspect(file).tables).toEqual(['auth_refresh_token', 'auth_session'])
  })
})

describe('libSQL URLs never print authToken', () => {
  const token = 'libsql-auth-token-6c0e.eyJhbGciOi'
  const expectNoToken = (output: string) => {
    expect(output).not.toContain(token)
    expect(output).not.toContain(encodeURIComponent(token))
  }

  it('success (a file: URL with authToken, which libSQL ignores for files): printed as ***', async () => {
    const result = await run(['migrate', '--url', `file:./token.db?authToken=${token}`], {}, cli, dir)
    expect(result, result.stderr).toMatchObject({ code: 0, stderr: '' })
    expect(result.stdout).toContain('to file:./token.db?authToken=*** with libsql')
    expectNoToken(`${result.stdout}${result.stderr}`)
  })

  // Port 2: nothing listens there, and fetch does not refuse it as a "bad port".
  it.each([
    ['http://', `http://127.0.0.1:2/?authToken=${token}`],
    ['libsql:// (tls=0)', `libsql://127.0.0.1:2?tls=0&authToken=${token}`],
    ['libsql:// (token in DATABASE_URL)', `libsql://127.0.0.1:2?authToken=${encodeURIComponent(token)}&tls=0`],
  ])('failure (%s, unreachable): exit 1 with the cause, and neither stdout nor stderr holds the token', async (_label, url) => {
    const result = await run(['migrate'], { DATABASE_URL: url })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('Migration failed')
    expect(result.stderr).toContain('ECONNREFUSED')
    expect(result.stdout).toContain('authToken=***')
    expectNoToken(`${result.stdout}${result.stderr}`)
  })
})

describe('D1: migrate prints what wrangler runs', () => {
  it('d1:<database> prints the migrations_dir and both wrangler commands; run as printed, they create the tables in local D1', async () => {
    const app = join(dir, 'worker-app')
    mkdirSync(app)
    const result = await run(['migrate', '--url', 'd1:auth'], {}, cli, app)
    expect(result, result.stderr).toMatchObject({ code: 0, stderr: '' })
    expect(result.stdout).toContain('npx wrangler d1 migrations apply auth --local')
    expect(result.stdout).toContain('npx wrangler d1 migrations apply auth --remote')
    const migrationsDir = /migrations_dir = "([^"]+)"/.exec(result.stdout)?.[1]
    expect(migrationsDir).toBeDefined()

    writeFileSync(join(app, 'worker.js'), 'export default { fetch: () => new Response("ok") }\n')
    writeFileSync(join(app, 'wrangler.toml'), [
      'name = "cli-d1"', 'main = "worker.js"', 'compatibility_date = "2025-09-01"', '',
      '[[d1_databases]]', 'binding = "DB"', 'database_name = "auth"', 'database_id = "00000000-0000-4000-8000-000000000000"',
      `migrations_dir = "${migrationsDir}"`, '',
    ].join('\n'))
    const wrangler = join(root, 'node_modules', 'wrangler', 'bin', 'wrangler.js')
    const output = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [wrangler, 'd1', 'migrations', 'apply', 'auth', '--local'], { cwd: app, env: { ...process.env, CI: '1', WRANGLER_SEND_METRICS: 'false' }, timeout: 90_000 },
        (error, stdout, stderr) => (error ? reject(new Error(`wrangler: ${stderr}${stdout}`)) : resolve(stdout))))
    expect(output).toContain('0000_init.sql')
    const d1Dir = join(app, '.wrangler', 'state', 'v3', 'd1', 'miniflare-D1DatabaseObject')
    const [database] = readdirSync(d1Dir).filter((name) => name.endsWith('.sqlite') && name !== 'metadata.sqlite')
    const { tables } = inspect(join(d1Dir, database!), 'd1_migrations')
    expect(tables).toEqual(expect.arrayContaining(['auth_refresh_token', 'auth_session', 'd1_migrations']))
  }, 120_000)

  it.each([[['migrate', '--url', 'd1:']], [['migrate', '--url', 'd1:my db']], [['migrate', '--url', 'd1:auth', '--driver', 'libsql']], [['migrate', '--url', 'file:./x.db', '--driver', 'node-postgres']], [['migrate', '--url', 'file:']]])(
    'bad SQLite/D1 command line %j: usage on stderr, exit 2',
    async (args) => {
      const result = await run(args, {}, cli, dir)
      expect(result.code).toBe(2)
      expect(result.stdout).toBe('')
      expect(result.stderr).toContain('Usage: edge-token-managers <command>')
    },
  )
})

it('--help lists the SQLite, libSQL and D1 targets, the history tables and the exit status', async () => {
  const { stdout } = await run(['--help'])
  for (const text of ['file:<path>', 'libsql://<host>?authToken=', 'd1:<database>', 'wrangler d1 migrations apply', `drizzle.${sqliteHistory}`, `in ${sqliteHistory})`, 'Exit status: 0 done, 1', '2 a bad command line']) {
    expect(stdout).toContain(text)
  }
})
