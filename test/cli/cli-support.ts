// What the CLI tests share: running bin/cli.js as `npx` would, and empty databases on the local server.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import pg from 'pg'
import { serverUrl } from '../support/postgres.ts'

export const root = join(import.meta.dirname, '..', '..')
export const cli = join(root, 'bin', 'cli.js')
export const databasePassword = 'cli-test-password-8d1f' // the local server trusts 127.0.0.1, so any password works
export const historyTable = 'drizzle.__edge_token_managers_migrations'
export const expectedTables = [historyTable, 'public.auth_refresh_token', 'public.auth_session']

export interface Run { code: number; stdout: string; stderr: string }

/** Runs the CLI with a clean DATABASE_URL/NEON_FETCH_ENDPOINT unless `env` sets them. */
export function run(args: string[], env: Record<string, string | undefined> = {}, script = cli, cwd = root): Promise<Run> {
  return new Promise((resolve) => {
    const environment = { ...process.env, DATABASE_URL: undefined, NEON_FETCH_ENDPOINT: undefined, ...env }
    execFile(process.execPath, [script, ...args], { env: environment as NodeJS.ProcessEnv, cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr })
    })
  })
}

export async function admin<T>(task: (client: pg.Client) => Promise<T>, url = serverUrl): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await task(client)
  } finally {
    await client.end()
  }
}

/** An empty database (no tables at all), addressed with a password in its URL. */
export async function createEmptyDatabase(label: string) {
  const name = `etm_cli_${label}_${crypto.randomUUID().slice(0, 8)}`
  await admin((client) => client.query(`create database ${name}`))
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  url.password = databasePassword
  return { name, url: url.toString(), drop: () => admin((client) => client.query(`drop database if exists ${name} with (force)`)) }
}

/** The tables in public and drizzle, and how many migrations this package's history records. */
export async function tablesOf(url: string): Promise<{ tables: string[]; migrations: number }> {
  return admin(async (client) => {
    const tables = await client.query(`select table_schema || '.' || table_name as name from information_schema.tables where table_schema in ('public', 'drizzle') order by 1`)
    const migrations = await client.query(`select count(*)::int as n from ${historyTable}`).then((r) => r.rows[0].n as number, () => 0)
    return { tables: tables.rows.map((r) => r.name as string), migrations }
  }, url)
}
