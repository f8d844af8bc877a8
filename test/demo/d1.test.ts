// The demo Worker on local D1, started the way docs/runtimes.md and wrangler.toml say: both migration
// folders applied with `wrangler d1 migrations apply <binding> --local`, then `wrangler dev` (workerd,
// Miniflare's D1, no other service). Driven over HTTP; the rows are read from the same local D1 files.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { promisify } from 'node:util'
import type { D1Database } from '@cloudflare/workers-types'
import { Miniflare, convertV4MiniflareOptions } from 'miniflare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..', '..')
const dir = mkdtempSync(join(tmpdir(), 'etm-d1-demo-'))
const persistTo = join(dir, 'state')
const randomSecret = () => Buffer.from(crypto.getRandomValues(new Uint8Array(48))).toString('base64url')
// `npx wrangler …` from the repository: its bin first on PATH (also the project's Node 22 for [build]).
const env = { ...process.env, PATH: `${join(root, 'node_modules/.bin')}${delimiter}${process.env.PATH}`, WRANGLER_SEND_METRICS: 'false', CI: 'true' }
const wrangler = (...args: string[]) => promisify(execFile)('wrangler', args, { cwd: root, env, maxBuffer: 16 * 1024 * 1024 })
// The binding's database_id in wrangler.toml: local D1 keeps one SQLite file per id.
const databaseId = /binding = "DB"[\s\S]*?database_id = "([^"]+)"/.exec(readFileSync(join(root, 'wrangler.toml'), 'utf8'))![1]!

let dev: ChildProcess
let output = ''
let url: string
let mf: Miniflare
let d1: D1Database

beforeAll(async () => {
  const migrated = [await wrangler('d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistTo),
    await wrangler('d1', 'migrations', 'apply', 'DEMO_DB', '--local', '--persist-to', persistTo)].map((r) => r.stdout).join('\n')
  expect(migrated).toContain('0000_init.sql')
  expect(migrated).toContain('0000_token_metadata.sql')

  // The secrets as .dev.vars would hold them; --env-file keeps a developer's own .dev.vars out of the test.
  const envFile = join(dir, 'test.env')
  writeFileSync(envFile, ['jwtHmacSha512PrivateKey', 'jwtRefreshTokenHashPepper', 'serverSideSessionKeyHashPepper'].map((name) => `${name}=${randomSecret()}\n`).join(''), { mode: 0o600 })
  dev = spawn('wrangler', ['dev', '--ip', '127.0.0.1', '--port', '0', '--inspector-port', '0', '--persist-to', persistTo, '--env-file', envFile, '--show-interactive-dev-session=false',
    '--test-scheduled'], // serves /__scheduled, to fire the Cron Trigger
    { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
  url = await new Promise((resolve, reject) => {
    // Generous: wrangler bundles the Worker and boots workerd while other test files load both cores.
    const timer = setTimeout(() => reject(new Error(`wrangler dev did not get ready:\n${output}`)), 150_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8')
      const ready = /Ready on (http:\/\/\S+)/.exec(output)?.[1]
      if (ready) {
        clearTimeout(timer)
        resolve(ready)
      }
    }
    dev.stdout!.on('data', onData)
    dev.stderr!.on('data', onData)
    dev.once('exit', (code) => reject(new Error(`wrangler dev exited (${code}):\n${output}`)))
  })

  // The same local database, read from outside the Worker as `wrangler d1 execute DB --local` opens it.
  mf = new Miniflare(convertV4MiniflareOptions({ modules: true, script: 'export default {}', d1Databases: { DB: databaseId }, resourcePersistencePath: join(persistTo, 'v3') }))
  d1 = (await mf.getD1Database('DB')) as unknown as D1Database
}, 240_000)

afterAll(async () => {
  await mf?.dispose()
  if (dev && dev.exitCode === null) {
    const exited = new Promise((resolve) => dev.once('exit', resolve))
    dev.kill('SIGTERM')
    await exited
  }
  rmSync(dir, { recursive: true, force: true })
})

async function call(path: string, init: { method?: string; token?: string; json?: unknown } = {}) {
  const headers: Record<string, string> = { 'user-agent': 'curl/8.5.0' }
  if (init.token) headers.authorization = `Bearer ${init.token}`
  if (init.json !== undefined) headers['content-type'] = 'application/json'
  const response = await fetch(new URL(path, url), {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    headers,
    ...(init.json !== undefined && { body: JSON.stringify(init.json) }),
  })
  const text = await response.text()
  return { status: response.status, body: response.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : null }
}

const signIn = async (username: string, kind: 'jwt' | 'session') => {
  const res = await call('/api/sign-in', { json: { username, kind, deviceName: 'D1 rig', tokens: 'bearer' } })
  expect(res.status).toBe(200)
  return res.body as { token: string; refreshToken: string | null; tokenId: string }
}

const rows = async (sql: string, ...params: unknown[]) => (await d1.prepare(sql).bind(...params).all<Record<string, unknown>>()).results

describe('the demo Worker on local D1 (wrangler dev)', () => {
  it('has the tables of both folders in one database, each folder with its own history', async () => {
    const tables = (await rows(`select name from sqlite_master where type = 'table' order by name`)).map((r) => r.name)
    expect(tables).toEqual(expect.arrayContaining(['auth_refresh_token', 'auth_session', 'token_metadata', 'auth_activity', 'd1_migrations', 'd1_demo_migrations']))
    expect((await rows('select name from d1_migrations')).map((r) => r.name)).toEqual(['0000_init.sql', '0001_dpop_jkt.sql'])
    expect((await rows('select name from d1_demo_migrations')).map((r) => r.name)).toEqual(['0000_token_metadata.sql', '0001_auth_activity.sql'])
    expect(output).toMatch(/env\.DB \(edge-token-managers-demo\)\s+D1 Database\s+local/)
    expect(output).not.toContain("DATABASE_URL") // D1, not Postgres
  })

  it('JWT: signs in, calls /api/me, refreshes, revokes; the rows and their metadata land in D1 and go with the token', async () => {
    const jwt = await signIn('d1-alice', 'jwt')
    expect((await call('/api/me', { token: jwt.token })).body).toMatchObject({ userIdentifier: 'd1-alice', tokenIssuer: 'jwt' })
    expect(await rows('select auth_user_id, method from auth_refresh_token where id = ?', jwt.tokenId)).toEqual([{ auth_user_id: 'd1-alice', method: 'demo' }])
    expect(await rows('select name, device_name, user_agent from token_metadata where refresh_token_id = ?', jwt.tokenId))
      .toEqual([{ name: 'sign-in (jwt)', device_name: 'D1 rig', user_agent: 'curl/8.5.0' }])
    const [listed] = (await call('/api/tokens', { token: jwt.token })).body
    expect(listed).toMatchObject({ tokenId: jwt.tokenId, current: true, metadata: { name: 'sign-in (jwt)', deviceName: 'D1 rig' } })

    const before = await rows('select rotating_secret_hash from auth_refresh_token where id = ?', jwt.tokenId)
    const refreshed = await call('/auth/refresh', { json: { refreshToken: jwt.refreshToken } })
    expect(refreshed.status).toBe(200)
    expect(refreshed.body.refreshToken).not.toBe(jwt.refreshToken)
    expect(await rows('select rotating_secret_hash from auth_refresh_token where id = ?', jwt.tokenId)).not.toEqual(before) // rotated in D1
    expect((await call('/api/me', { token: refreshed.body.token })).status).toBe(200)

    expect((await call(`/auth/tokens/${jwt.tokenId}`, { method: 'DELETE', token: refreshed.body.token })).status).toBe(204)
    expect(await rows('select id from auth_refresh_token where id = ?', jwt.tokenId)).toEqual([])
    expect(await rows('select id from token_metadata where refresh_token_id = ?', jwt.tokenId)).toEqual([]) // onDelete: 'cascade'
    const dead = await call('/auth/refresh', { json: { refreshToken: refreshed.body.refreshToken } })
    expect(dead).toMatchObject({ status: 400, body: { error: 'invalid_grant', code: 'ERR_REFRESH_TOKEN_NOT_FOUND' } })
    // The onEvent handler wrote the activity after each response (waitUntil kept it alive): poll until it lands.
    const activity = () => rows('select type, token_id from auth_activity where token_id = ? order by id', jwt.tokenId)
    for (let tries = 0; tries < 100 && (await activity()).length < 3; tries++) await new Promise((resolve) => setTimeout(resolve, 50))
    expect((await activity()).map((r) => r.type)).toEqual(['sign-in', 'refresh', 'revocation'])
  })

  it('sessions: a revoked session fails its next request; sign-out deletes the row and its metadata', async () => {
    const first = await signIn('d1-bob', 'session')
    const second = await signIn('d1-bob', 'session')
    expect((await call('/api/me', { token: second.token })).body).toMatchObject({ userIdentifier: 'd1-bob', tokenIssuer: 'session' })
    expect(await rows('select count(*) as n from token_metadata where session_id in (?, ?)', first.tokenId, second.tokenId)).toEqual([{ n: 2 }])

    expect((await call(`/auth/tokens/${second.tokenId}`, { method: 'DELETE', token: first.token })).status).toBe(204)
    expect((await call('/api/me', { token: second.token })).status).toBe(401)
    expect((await call('/auth/sign-out', { method: 'POST', token: first.token })).status).toBe(204)
    expect((await call('/api/me', { token: first.token })).status).toBe(401)
    expect(await rows(`select id from auth_session where auth_user_id = 'd1-bob'`)).toEqual([])
    expect(await rows('select id from token_metadata where session_id in (?, ?)', first.tokenId, second.tokenId)).toEqual([])
  })

  it('a personal access token keeps its own name in D1 and trades for an access token', async () => {
    const carol = await signIn('d1-carol', 'jwt')
    const pat = await call('/api/pats', { token: carol.token, json: { name: 'CI deploy' } })
    expect(pat.status).toBe(201)
    expect(await rows('select name, device_name from token_metadata where refresh_token_id = ?', pat.body.tokenId))
      .toEqual([{ name: 'CI deploy', device_name: 'Personal access token' }])
    expect((await call('/auth/refresh', { json: { refreshToken: pat.body.refreshToken } })).status).toBe(200)
  })

  it('sweeps expired rows in D1 from its Cron Trigger handler', async () => {
    const alive = await signIn('d1-erin', 'jwt')
    const stale = await signIn('d1-erin', 'session')
    // workerd's clock cannot be moved: age the session row instead, on the database's own clock.
    await d1.prepare(`update auth_session set expires_at = cast(unixepoch('subsec') * 1000 as integer) - 60000 where id = ?`).bind(stale.tokenId).run()
    expect((await fetch(new URL('/__scheduled?cron=17+3+*+*+*', url))).status).toBe(200)
    expect(await rows(`select id from auth_session where auth_user_id = 'd1-erin' union all select id from auth_refresh_token where auth_user_id = 'd1-erin'`))
      .toEqual([{ id: alive.tokenId }])
    expect(await rows('select id from token_metadata where session_id = ?', stale.tokenId)).toEqual([])
  })
})
