// The demo Worker exactly as `wrangler deploy` would upload it (built with --dry-run), running in workerd
// (Miniflare) without nodejs_compat, against a real Postgres database reached through drizzle-orm/neon-http
// and the local Neon SQL-over-HTTP endpoint.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { drizzle } from 'drizzle-orm/node-postgres'
import { migrate } from 'drizzle-orm/node-postgres/migrator'
import { Miniflare, convertV4MiniflareOptions } from 'miniflare'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startNeonHttpServer } from '../../scripts/neon-http/server.ts'
import { migrateDemo } from '../../demo/migrate.ts'
import { createServerDatabase } from '../support/postgres.ts'

const root = join(import.meta.dirname, '..', '..')
const outdir = mkdtempSync(join(tmpdir(), 'etm-worker-'))
const randomSecret = () => Buffer.from(crypto.getRandomValues(new Uint8Array(48))).toString('base64url')

let build: ReturnType<typeof spawnSync>
let database: Awaited<ReturnType<typeof createServerDatabase>>
let endpoint: Awaited<ReturnType<typeof startNeonHttpServer>>
let mf: Miniflare

beforeAll(async () => {
  build = spawnSync(join(root, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', outdir], {
    cwd: root,
    encoding: 'utf8',
    // The [build] step runs `node …`: make it the project's Node 22, as `npx wrangler` would.
    env: { ...process.env, PATH: `${join(root, 'node_modules/.bin')}${delimiter}${process.env.PATH}`, WRANGLER_SEND_METRICS: 'false' },
  })
  if (build.status !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${build.stdout}\n${build.stderr}`)

  database = await createServerDatabase('demo_worker')
  const pool = new pg.Pool({ connectionString: database.url, max: 1 })
  await migrateDemo((folder) => migrate(drizzle(pool), folder))
  await pool.end()
  endpoint = await startNeonHttpServer({ port: 0 })

  const files = readdirSync(outdir)
  mf = new Miniflare(convertV4MiniflareOptions({
    modules: [
      { type: 'ESModule', path: join(outdir, 'worker.js') },
      ...files.filter((f) => f.endsWith('.html')).map((f) => ({ type: 'Text' as const, path: join(outdir, f) })),
    ],
    modulesRoot: outdir,
    compatibilityDate: /compatibility_date = "([\d-]+)"/.exec(readFileSync(join(root, 'wrangler.toml'), 'utf8'))![1]!,
    bindings: {
      DATABASE_URL: database.url,
      NEON_FETCH_ENDPOINT: endpoint.url,
      jwtHmacSha512PrivateKey: randomSecret(),
      jwtRefreshTokenHashPepper: randomSecret(),
      serverSideSessionKeyHashPepper: randomSecret(),
    },
  }))
})

afterAll(async () => {
  await mf?.dispose()
  await endpoint?.close()
  await database?.drop()
  rmSync(outdir, { recursive: true, force: true })
})

async function call(path: string, init: RequestInit & { token?: string; json?: unknown } = {}) {
  const headers = new Headers(init.headers)
  if (init.token) headers.set('authorization', `Bearer ${init.token}`)
  if (init.json !== undefined) headers.set('content-type', 'application/json')
  headers.set('cf-connecting-ip', '198.51.100.23')
  const response = await mf.dispatchFetch(`http://demo.test${path}`, {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    headers: Object.fromEntries(headers),
    ...(init.json !== undefined && { body: JSON.stringify(init.json) }),
  })
  const text = await response.text()
  return { status: response.status, headers: response.headers, body: response.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : null, text }
}

const signIn = async (username: string, kind: 'jwt' | 'session') => {
  const res = await call('/api/sign-in', { json: { username, kind, deviceName: 'Test rig', tokens: 'bearer' } })
  expect(res.status).toBe(200)
  return res.body as { token: string; refreshToken: string | null; tokenId: string }
}

describe('the demo Worker in workerd', () => {
  it('bundles with wrangler deploy --dry-run, without nodejs_compat or node: imports', () => {
    expect(readFileSync(join(root, 'wrangler.toml'), 'utf8')).not.toMatch(/^\s*compatibility_flags.*nodejs_compat/m)
    const bundle = readFileSync(join(outdir, 'worker.js'))
    expect(bundle.toString('utf8')).not.toMatch(/\b(?:from|import|require)\s*\(?\s*["']node:/)
    const gzipKiB = gzipSync(bundle, { level: 9 }).length / 1024
    console.log(`demo Worker bundle: ${(bundle.length / 1024).toFixed(1)} KiB, ${gzipKiB.toFixed(1)} KiB gzipped (wrangler reports: ${/Total Upload: .*/.exec(String(build.stdout))?.[0]})`)
    expect(gzipKiB).toBeLessThan(1024) // Workers' free-plan limit is 3 MiB gzipped; stay far below
  })

  it('serves the page', async () => {
    const res = await call('/')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    expect(res.text).toContain('data-testid="sign-in-form"')
    expect(res.text).toContain('/auth/refresh') // the library's client, bundled inline
  })

  it('signs in with a JWT, calls a protected route, refreshes, revokes', async () => {
    const jwt = await signIn('worker-alice', 'jwt')
    expect((await call('/api/me', { token: jwt.token })).body).toMatchObject({ userIdentifier: 'worker-alice', tokenIssuer: 'jwt' })
    const [listed] = (await call('/api/tokens', { token: jwt.token })).body
    expect(listed).toMatchObject({
      tokenId: jwt.tokenId, current: true,
      metadata: { name: 'sign-in (jwt)', deviceName: 'Test rig', ipAddress: '198.51.100.23' },
    })

    const refreshed = await call('/auth/refresh', { json: { refreshToken: jwt.refreshToken } })
    expect(refreshed.status).toBe(200)
    expect(refreshed.body.refreshToken).not.toBe(jwt.refreshToken)
    expect((await call('/api/me', { token: refreshed.body.token })).status).toBe(200)

    expect((await call(`/auth/tokens/${jwt.tokenId}`, { method: 'DELETE', token: refreshed.body.token })).status).toBe(204)
    const dead = await call('/auth/refresh', { json: { refreshToken: refreshed.body.refreshToken } })
    expect(dead).toMatchObject({ status: 400, body: { error: 'invalid_grant', code: 'ERR_REFRESH_TOKEN_NOT_FOUND' } })
  })

  it('rejects a revoked session on the very next request', async () => {
    const first = await signIn('worker-bob', 'session')
    const second = await signIn('worker-bob', 'session')
    expect((await call('/api/me', { token: second.token })).body).toMatchObject({ userIdentifier: 'worker-bob', tokenIssuer: 'session' })

    expect((await call(`/auth/tokens/${second.tokenId}`, { method: 'DELETE', token: first.token })).status).toBe(204)
    const rejected = await call('/api/me', { token: second.token })
    expect(rejected.status).toBe(401)
    expect(rejected.headers.get('www-authenticate')).toBe('Bearer realm="api", error="invalid_token"')

    expect((await call('/auth/sign-out', { method: 'POST', token: first.token })).status).toBe(204)
    expect((await call('/api/me', { token: first.token })).status).toBe(401)
  })

  it('sweeps expired token rows from its Cron Trigger handler', async () => {
    const alive = await signIn('worker-erin', 'jwt')
    const stale = await signIn('worker-erin', 'session')
    const pool = new pg.Pool({ connectionString: database.url, max: 1 })
    try {
      // workerd's clock cannot be moved: age the session row instead.
      await pool.query(`update auth_session set expires_at = now() - interval '1 minute' where id = $1`, [stale.tokenId])
      // workerd's Fetcher has scheduled(); Miniflare's types only describe fetch.
      const worker = (await mf.getWorker()) as unknown as { scheduled(options: { cron: string }): Promise<unknown> }
      await worker.scheduled({ cron: '17 3 * * *' })
      const remaining = await pool.query(`select id from auth_refresh_token where auth_user_id = 'worker-erin' union all select id from auth_session where auth_user_id = 'worker-erin'`)
      expect(remaining.rows.map((row) => row.id)).toEqual([alive.tokenId])
    } finally {
      await pool.end()
    }
  })

  it('keeps users apart and enforces scopes', async () => {
    const carol = await signIn('worker-carol', 'session')
    const dave = await signIn('worker-dave', 'jwt')
    expect((await call(`/auth/tokens/${dave.tokenId}`, { method: 'DELETE', token: carol.token })).status).toBe(404)
    expect((await call('/api/me', { token: dave.token })).status).toBe(200)
    const forbidden = await call('/api/admin', { token: carol.token })
    expect(forbidden.status).toBe(403)
    expect(forbidden.headers.get('www-authenticate')).toBe('Bearer realm="api", error="insufficient_scope", scope="admin"')
    const admin = await signIn('admin', 'jwt')
    expect((await call('/api/admin', { token: admin.token })).status).toBe(200)
  })
})
