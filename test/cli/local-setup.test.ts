// The CLI's local-development pieces: `secrets --out` (a new 0600 file, never overwritten), `migrate
// --env-file` and `pglite://<dir>`, and `neon-http`, the local stand-in for Neon's endpoint.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEnv } from 'node:util'
import { PGlite } from '@electric-sql/pglite'
import { neon, neonConfig } from '@neondatabase/serverless'
import { afterAll, describe, expect, it } from 'vitest'
import { cli, createEmptyDatabase, run, tablesOf } from './cli-support.ts'

const dir = mkdtempSync(join(tmpdir(), 'etm-cli-local-'))
const databases: { drop(): Promise<unknown> }[] = []
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()))
  rmSync(dir, { recursive: true, force: true })
})

describe('secrets --out', () => {
  it('writes a new file only its owner can read, with the secrets and the local DATABASE_URL, and prints none of them', async () => {
    const file = join(dir, '.dev.vars')
    const result = await run(['secrets', '--out', file])
    expect(result).toMatchObject({ code: 0, stderr: '' })
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const values = parseEnv(readFileSync(file, 'utf8'))
    expect(values).toMatchObject({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres', NEON_FETCH_ENDPOINT: 'http://127.0.0.1:4444/sql' })
    expect(values.jwtHmacSha512PrivateKey).toMatch(/^[\w-]{86}$/)
    for (const value of Object.values(values) as string[]) if (!value.includes('127.0.0.1')) expect(result.stdout).not.toContain(value)
  })

  it('never overwrites an existing file (exit 1, the file unchanged)', async () => {
    const file = join(dir, 'existing.vars')
    writeFileSync(file, 'mine=1\n', { mode: 0o644 })
    const result = await run(['secrets', '--out', file, '--format', 'json'])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('already exists; not overwritten')
    expect(readFileSync(file, 'utf8')).toBe('mine=1\n')
  })
})

describe('migrate --env-file and pglite://', () => {
  it('--env-file reads DATABASE_URL from a dotenv file; a file without one is a usage error', async () => {
    const database = await createEmptyDatabase('envfile')
    databases.push(database)
    const file = join(dir, 'db.vars')
    writeFileSync(file, `# local\nDATABASE_URL="${database.url}"\n`)
    const result = await run(['migrate', '--env-file', file])
    expect(result, result.stderr).toMatchObject({ code: 0, stderr: '' })
    expect((await tablesOf(database.url)).migrations).toBe(2)
    writeFileSync(join(dir, 'empty.vars'), 'OTHER=1\n')
    const missing = await run(['migrate', '--env-file', join(dir, 'empty.vars')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('has no DATABASE_URL line')
  })

  it('pglite://<dir> creates the tables in that folder (relative to the working directory); a second run is a no-op', async () => {
    const first = await run(['migrate', '--url', 'pglite://./pglite-data'], {}, cli, dir)
    expect(first, first.stderr).toMatchObject({ code: 0, stderr: '' })
    expect(first.stdout).toContain('with pglite')
    expect((await run(['migrate', '--url', 'pglite://./pglite-data'], {}, cli, dir)).stdout).toContain('Already up to date')
    const client = new PGlite(join(dir, 'pglite-data'))
    try {
      const { rows } = await client.query<{ name: string }>(`select table_schema || '.' || table_name as name from information_schema.tables where table_schema in ('public', 'drizzle') order by 1`)
      expect(rows.map((r) => r.name)).toEqual(['drizzle.__edge_token_managers_migrations', 'public.auth_refresh_token', 'public.auth_session'])
    } finally {
      await client.close()
    }
  })

  it.each([[['migrate', '--url', 'pglite://']], [['migrate', '--url', 'pglite://./x', '--driver', 'neon-http']], [['migrate', '--url', 'postgres://u@h/d', '--driver', 'pglite']]])(
    'bad pglite command line %j: usage, exit 2',
    async (args) => {
      const result = await run(args)
      expect(result.code).toBe(2)
      expect(result.stderr).toContain('Usage: edge-token-managers')
    },
  )
})

it('neon-http serves Neon’s SQL-over-HTTP protocol in front of the local server', async () => {
  const database = await createEmptyDatabase('neonhttp')
  databases.push(database)
  const child = spawn(process.execPath, [cli, 'neon-http', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let output = ''
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk
        const match = /endpoint at (http:\/\/127\.0\.0\.1:\d+\/sql)/.exec(output)
        if (match) resolve(match[1]!)
      })
      child.once('exit', (code) => reject(new Error(`neon-http exited (${code}): ${output}`)))
    })
    neonConfig.fetchEndpoint = () => url
    expect(await neon(database.url).query('select 1 + 1 as two')).toEqual([{ two: 2 }])
  } finally {
    child.kill()
  }
})
