// The README's quick start, followed literally in-process: the Worker file it prints, the secrets the CLI
// prints, the shipped migrations on a real Postgres reached over neon-http (through the endpoint the CLI
// ships), and the curl lines as requests — sign in, call the API, refresh, sign out.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseEnv } from 'node:util'
import { afterAll, beforeAll, expect, it } from 'vitest'
import worker from '../../examples/quick-start.ts'
import { startNeonHttpServer } from '../../scripts/neon-http/server.ts'
import { createServerDatabase } from '../support/postgres.ts'

const root = join(import.meta.dirname, '..', '..')
const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

let database: Awaited<ReturnType<typeof createServerDatabase>>
let endpoint: Awaited<ReturnType<typeof startNeonHttpServer>>
beforeAll(async () => {
  ;[database, endpoint] = await Promise.all([createServerDatabase('quick_start'), startNeonHttpServer({ port: 0 })])
})
afterAll(async () => {
  await endpoint?.close()
  await database?.drop()
})

it('the README shows the quick-start file as it is; the file exports only its Worker (wrangler types accepts it)', async () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const file = readFileSync(join(root, 'examples', 'quick-start.ts'), 'utf8')
  // Everything after the file's first comment line is printed in the README.
  expect(readme).toContain(file.split('\n').slice(1).join('\n').trim())
  expect(file.split('\n').length).toBeLessThanOrEqual(40)
  expect(Object.keys(await import('../../examples/quick-start.ts'))).toEqual(['default'])
})

it('sign in, call the API, refresh, sign out — with the .dev.vars the CLI writes, pointed at a fresh database', async () => {
  const devVars = parseEnv(execFileSync(process.execPath, [join(root, 'bin', 'cli.js'), 'secrets'], { encoding: 'utf8' }))
  expect(devVars).toMatchObject({ DATABASE_URL: expect.stringMatching(/^postgres:\/\//), NEON_FETCH_ENDPOINT: 'http://127.0.0.1:4444/sql' })
  // The same names, this test's database and endpoint (the packed test runs the README's own values).
  const env = { ...devVars, DATABASE_URL: database.url, NEON_FETCH_ENDPOINT: endpoint.url } as Parameters<typeof worker.fetch>[1]
  const request = (path: string, init: RequestInit = {}) => worker.fetch(new Request(`http://localhost:8787${path}`, init), env)

  expect((await request('/sign-in', json({ username: 'ada', password: 'wrong' }))).status).toBe(401)
  const { token, refreshToken } = await (await request('/sign-in', json({ username: 'ada', password: 'let-me-in' }))).json() as { token: string; refreshToken: string }
  expect(await (await request('/api/me', { headers: { Authorization: `Bearer ${token}` } })).json()).toEqual({ user: 'ada' })
  expect((await request('/api/me')).status).toBe(401)
  const refreshed = await (await request('/auth/refresh', json({ refreshToken }))).json() as { token: string; refreshToken: string }
  expect(refreshed.refreshToken).not.toBe(refreshToken)
  // Within the grace window the same refresh token answers again, with the same new pair.
  expect((await (await request('/auth/refresh', json({ refreshToken }))).json() as { refreshToken: string }).refreshToken).toBe(refreshed.refreshToken)
  expect((await request('/auth/sign-out', { method: 'POST', headers: { Authorization: `Bearer ${token}` } })).status).toBe(204)
  expect((await request('/auth/refresh', json({ refreshToken: refreshed.refreshToken }))).status).toBe(400)
})
