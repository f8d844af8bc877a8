// The `edge-token-managers` CLI (bin/cli.js), run as a child process the way `npx` runs it. `migrate`
// must create the tables on an empty database by itself (node-postgres, and neon-http through the local
// endpoint); the secrets `secrets` prints must actually configure the managers.
import { execFile } from 'node:child_process'
import { chmodSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEnv } from 'node:util'
import { drizzle } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import packageJson from '../../package.json' with { type: 'json' }
import { startNeonHttpServer } from '../../scripts/neon-http/server.ts'
import { drizzleTokenStore } from '../../src/drizzle/index.ts'
import {
  initializeAuthServices, JwtAlgorithm, JwtConfig, JwtConfigFromPasswords, JwtTokenManager,
  ServerSideSessionsConfigFromPasswords, ServerSideSessionsTokenManager,
} from '../../src/index.ts'
import { cli, createEmptyDatabase, databasePassword, expectedTables, root, run, tablesOf, type Run } from './cli-support.ts'

const secretNames = ['jwtHmacSha512PrivateKey', 'jwtRefreshTokenHashPepper', 'serverSideSessionKeyHashPepper']
const es512Names = ['JWT_ES512_PRIVATE_PEM', 'JWT_ES512_PUBLIC_PEM']
const binFiles = readdirSync(join(root, 'bin')).filter((name) => name.endsWith('.js')).map((name) => `bin/${name}`)
const databases: { drop(): Promise<unknown> }[] = []
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()))
})

describe('packaging of the CLI', () => {
  it('package.json bin names an executable Node script, and the package ships it with drizzle/', () => {
    expect(packageJson.bin).toEqual({ 'edge-token-managers': 'bin/cli.js' })
    expect(readFileSync(cli, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true)
    expect(statSync(cli).mode & 0o111).not.toBe(0)
  })

  it('installed from the packed tarball, `npx edge-token-managers` runs and finds the migrations', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'etm-pack-'))
    const npm = (args: string[], cwd: string) => new Promise<string>((resolve, reject) =>
      execFile('npm', args, { cwd }, (error, stdout, stderr) => (error ? reject(new Error(`npm ${args[0]}: ${stderr}`)) : resolve(stdout))))
    try {
      const [packed] = JSON.parse(await npm(['pack', '--json', '--ignore-scripts', '--pack-destination', dir], root)) as { filename: string; files: { path: string }[] }[]
      const files = packed!.files.map((f) => f.path)
      expect(files).toEqual(expect.arrayContaining([...binFiles, 'drizzle/0000_init.sql', 'drizzle/meta/_journal.json', 'drizzle/sqlite/0000_init.sql', 'drizzle/sqlite/meta/_journal.json', 'LICENSE']))
      expect(files).not.toContain('bin/tsconfig.json')
      // No dependencies (pg and drizzle-orm are optional), so this needs no network.
      writeFileSync(join(dir, 'package.json'), '{"name":"cli-consumer","private":true}')
      await npm(['install', '--offline', '--no-audit', '--no-fund', `./${packed!.filename}`], dir)
      const secrets = JSON.parse(await npm(['exec', '--offline', '--', 'edge-token-managers', 'secrets', '--format', 'json'], dir)) as Record<string, string>
      expect(Object.keys(secrets)).toEqual(secretNames)
      const migrate = await run(['migrate', '--url', `postgres://postgres:${databasePassword}@127.0.0.1:1/x`], {}, join(dir, 'node_modules', '.bin', 'edge-token-managers'))
      expect(migrate.stdout).toContain(join(dir, 'node_modules', 'edge-token-managers', 'drizzle'))
      expect(migrate.stderr).toContain('npm install pg') // the consumer has not installed a driver
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)

  it('bin/ type-checks (JSDoc types, tsc -p bin)', async () => {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
    const result = await new Promise<string>((resolve) =>
      execFile(process.execPath, [tsc, '-p', 'bin', '--noEmit'], { cwd: root }, (_error, stdout, stderr) => resolve(`${stdout}${stderr}`)))
    expect(result.trim()).toBe('')
  }, 120_000)
})

describe('usage', () => {
  it('--help and help print the usage on stdout', async () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      const result = await run(args)
      expect(result).toMatchObject({ code: 0, stderr: '' })
      expect(result.stdout).toContain('Usage: edge-token-managers <command>')
    }
  })

  it.each([[['frobnicate']], [[]], [['secrets', '--format', 'yaml']], [['secrets', '--bogus']], [['migrate']], [['migrate', '--url', 'mysql://x@y/z']]])(
    'bad command line %j: usage on stderr, exit 2',
    async (args) => {
      const result = await run(args)
      expect(result.code).toBe(2)
      expect(result.stdout).toBe('')
      expect(result.stderr).toContain('Usage: edge-token-managers <command>')
    },
  )
})

describe('secrets', () => {
  let database: Awaited<ReturnType<typeof createEmptyDatabase>>
  let pool: pg.Pool
  beforeAll(async () => {
    database = await createEmptyDatabase('secrets')
    databases.push(database)
    expect((await run(['migrate'], { DATABASE_URL: database.url })).code).toBe(0)
    pool = new pg.Pool({ connectionString: database.url, max: 4 })
  })
  afterAll(async () => {
    await pool?.end()
  })

  /** Issues and validates a JWT and a session with configs read from `passwords`. */
  async function expectWorkingPasswords(passwords: Record<string, string>) {
    const auth = initializeAuthServices({
      store: drizzleTokenStore(drizzle(pool)),
      tokenManagerBuilders: [new JwtConfigFromPasswords(passwords), new ServerSideSessionsConfigFromPasswords(passwords)],
    })
    await auth.ready
    for (const manager of [auth.getTokenManager(JwtTokenManager), auth.getTokenManager(ServerSideSessionsTokenManager)]) {
      const issued = await manager.issueToken({ authUserId: 'cli-user', method: 'cli-test' })
      expect((await auth.tokenManager.validateToken(issued.token))?.userIdentifier).toBe('cli-user')
    }
  }

  function expectStrong(values: Record<string, string>) {
    expect(Buffer.from(values.jwtHmacSha512PrivateKey!, 'base64url').length).toBeGreaterThanOrEqual(64)
    expect(Buffer.from(values.jwtRefreshTokenHashPepper!, 'base64url').length).toBeGreaterThanOrEqual(32)
    expect(Buffer.from(values.serverSideSessionKeyHashPepper!, 'base64url').length).toBeGreaterThanOrEqual(32)
  }

  it('dotenv (default): NAME=value lines, fresh on every run, long enough, and they work', async () => {
    const [first, second] = await Promise.all([run(['secrets']), run(['secrets', '--format', 'dotenv'])])
    for (const result of [first, second]) {
      expect(result).toMatchObject({ code: 0, stderr: '' })
      const lines = result.stdout.trimEnd().split('\n').filter((line) => !line.startsWith('#'))
      expect(lines.map((line) => line.split('=')[0])).toEqual([...secretNames, 'DATABASE_URL', 'NEON_FETCH_ENDPOINT'])
      expect(lines.slice(0, 3).every((line) => /^\w+=[A-Za-z0-9_-]+$/.test(line))).toBe(true)
    }
    const a = parseEnv(first.stdout) as Record<string, string>
    const b = parseEnv(second.stdout) as Record<string, string>
    for (const name of secretNames) expect(a[name]).not.toBe(b[name])
    expectStrong(a)
    await expectWorkingPasswords(a)
  })

  it('json: one object with the three secrets', async () => {
    const result = await run(['secrets', '--format', 'json'])
    expect(result.code).toBe(0)
    const values = JSON.parse(result.stdout) as Record<string, string>
    expect(Object.keys(values)).toEqual(secretNames)
    expectStrong(values)
    await expectWorkingPasswords(values)
  })

  it('wrangler: `printf %s VALUE | npx wrangler secret put NAME` lines that hand wrangler the exact values', async () => {
    const result = await run(['secrets', '--format', 'wrangler', '--es512'])
    expect(result.code).toBe(0)
    // Run the lines with a stand-in `npx` that records what `wrangler secret put NAME` would read.
    const dir = mkdtempSync(join(tmpdir(), 'etm-wrangler-'))
    try {
      writeFileSync(join(dir, 'npx'), '#!/bin/sh\n[ "$1 $2 $3" = "wrangler secret put" ] || exit 9\ncat > "$OUT/$4"\n')
      chmodSync(join(dir, 'npx'), 0o755)
      const shell = await new Promise<Run>((resolve) =>
        execFile('sh', ['-e', '-c', result.stdout], { env: { PATH: `${dir}:/usr/bin:/bin`, OUT: dir } }, (error, stdout, stderr) => resolve({ code: error ? 1 : 0, stdout, stderr })))
      expect(shell).toEqual({ code: 0, stdout: '', stderr: '' })
      const values = Object.fromEntries([...secretNames, ...es512Names].map((name) => [name, readFileSync(join(dir, name), 'utf8')]))
      expect(values.JWT_ES512_PRIVATE_PEM).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----$/)
      expectStrong(values)
      await expectWorkingPasswords(values)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('--es512: a fresh P-521 key pair (PEM) that JwtAlgorithm.ecdsaSha512 imports, signs and verifies with', async () => {
    const [dotenv, json] = await Promise.all([run(['secrets', '--es512']), run(['secrets', '--es512', '--format', 'json'])])
    const fromDotenv = parseEnv(dotenv.stdout) as Record<string, string>
    const fromJson = JSON.parse(json.stdout) as Record<string, string>
    expect(Object.keys(fromDotenv).sort()).toEqual([...secretNames, ...es512Names, 'DATABASE_URL', 'NEON_FETCH_ENDPOINT'].sort())
    expect(fromDotenv.JWT_ES512_PRIVATE_PEM).not.toBe(fromJson.JWT_ES512_PRIVATE_PEM)
    for (const values of [fromDotenv, fromJson]) {
      const algorithm = JwtAlgorithm.ecdsaSha512({ privateKey: values.JWT_ES512_PRIVATE_PEM!, publicKey: values.JWT_ES512_PUBLIC_PEM! })
      const config = new JwtConfig({ algorithm, refreshTokenHashPepper: values.jwtRefreshTokenHashPepper! })
      const auth = initializeAuthServices({ store: drizzleTokenStore(drizzle(pool)), tokenManagerBuilders: [config] })
      await auth.ready
      const issued = await auth.tokenManager.issueToken({ authUserId: 'es512-user', method: 'cli-test' })
      expect(JSON.parse(atob(issued.token.split('.')[0]!))).toMatchObject({ alg: 'ES512' })
      expect((await auth.tokenManager.validateToken(issued.token))?.userIdentifier).toBe('es512-user')
      // A token signed with the other run's key does not verify here.
      const other = values === fromDotenv ? fromJson : fromDotenv
      const otherAuth = initializeAuthServices({
        store: drizzleTokenStore(drizzle(pool)),
        tokenManagerBuilders: [new JwtConfig({ algorithm: JwtAlgorithm.ecdsaSha512({ privateKey: other.JWT_ES512_PRIVATE_PEM!, publicKey: other.JWT_ES512_PUBLIC_PEM! }), refreshTokenHashPepper: values.jwtRefreshTokenHashPepper! })],
      })
      expect(await otherAuth.tokenManager.validateToken(issued.token)).toBeNull()
    }
  })
})

describe('migrate', () => {
  it('node-postgres: creates the tables on an empty database from DATABASE_URL; a second run changes nothing', async () => {
    const database = await createEmptyDatabase('pg')
    databases.push(database)
    expect((await tablesOf(database.url)).tables).toEqual([])

    const first = await run(['migrate'], { DATABASE_URL: database.url })
    expect(first, first.stderr).toMatchObject({ code: 0, stderr: '' })
    expect(first.stdout).toContain('with node-postgres')
    expect(first.stdout).toContain('Applied 1 migration(s) (1 in total; tables: "auth_refresh_token", "auth_session").')
    expect(await tablesOf(database.url)).toEqual({ tables: expectedTables, migrations: 1 })

    const second = await run(['migrate', '--url', database.url])
    expect(second.code).toBe(0)
    expect(second.stdout).toContain('Already up to date (1 in total;')
    expect(await tablesOf(database.url)).toEqual({ tables: expectedTables, migrations: 1 })

    // The URL is printed with its password masked.
    for (const output of [first.stdout, second.stdout]) {
      expect(output).not.toContain(databasePassword)
      expect(output).toContain(`postgres://postgres:***@`)
    }
  })

  it('neon-http (--driver neon-http, local endpoint via NEON_FETCH_ENDPOINT): same tables, second run a no-op', async () => {
    const database = await createEmptyDatabase('neon')
    databases.push(database)
    const endpoint = await startNeonHttpServer({ port: 0 })
    try {
      const env = { DATABASE_URL: database.url, NEON_FETCH_ENDPOINT: endpoint.url }
      const first = await run(['migrate', '--driver', 'neon-http'], env)
      expect(first, first.stderr).toMatchObject({ code: 0, stderr: '' })
      expect(first.stdout).toContain('with neon-http')
      expect(first.stdout).not.toContain(databasePassword)
      expect(await tablesOf(database.url)).toEqual({ tables: expectedTables, migrations: 1 })
      const second = await run(['migrate', '--driver', 'neon-http'], env)
      expect(second.stdout).toContain('Already up to date (1 in total;')
      expect(await tablesOf(database.url)).toEqual({ tables: expectedTables, migrations: 1 })
    } finally {
      await endpoint.close()
    }
  })

  it('a failure exits 1 without the password; a missing driver package gets a one-line npm install', async () => {
    const unreachable = `postgres://postgres:${databasePassword}@127.0.0.1:1/nowhere`
    const failed = await run(['migrate', '--url', unreachable])
    expect(failed.code).toBe(1)
    expect(failed.stderr).toContain('Migration failed')
    expect(`${failed.stdout}${failed.stderr}`).not.toContain(databasePassword)

    // A copy of the CLI outside this repository cannot resolve pg (nor drizzle-orm).
    const dir = mkdtempSync(join(tmpdir(), 'etm-cli-'))
    try {
      cpSync(join(root, 'drizzle'), join(dir, 'drizzle'), { recursive: true }) // drizzle/sqlite/ too
      mkdirSync(join(dir, 'bin'))
      for (const file of binFiles) copyFileSync(join(root, file), join(dir, file))
      writeFileSync(join(dir, 'package.json'), '{"type":"module"}')
      const missing = await run(['migrate', '--url', unreachable], {}, join(dir, 'bin', 'cli.js'))
      expect(missing.code).toBe(1)
      expect(missing.stderr).toContain('npm install pg')
      expect(missing.stderr.trim().split('\n')).toHaveLength(1)
      const missingLibsql = await run(['migrate', '--url', 'file:./auth.db'], {}, join(dir, 'bin', 'cli.js'), dir)
      expect(missingLibsql.code).toBe(1)
      expect(missingLibsql.stderr).toContain('npm install @libsql/client')
      expect(missingLibsql.stderr.trim().split('\n')).toHaveLength(1)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
