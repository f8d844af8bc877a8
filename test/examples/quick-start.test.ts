// The README's quick start, followed literally: the app file it prints, the secrets the CLI prints, the
// shipped migrations, and the curl lines as requests — sign in, call the API, refresh, sign out.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseEnv } from 'node:util'
import { migrate } from 'drizzle-orm/pglite/migrator'
import { expect, it } from 'vitest'
import { createApp, type Env } from '../../examples/quick-start.ts'
import { createPgliteDatabase, migrationsFolder } from '../support/postgres.ts'

const root = join(import.meta.dirname, '..', '..')
const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

it('the README shows the quick-start file as it is', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const file = readFileSync(join(root, 'examples', 'quick-start.ts'), 'utf8')
  // Everything after the file's first comment line is printed in the README.
  expect(readme).toContain(file.split('\n').slice(1).join('\n').trim())
  expect(file.split('\n').length).toBeLessThanOrEqual(32)
})

it('sign in, call the API, refresh, sign out — with the secrets the CLI prints and the shipped migrations', async () => {
  const secrets = parseEnv(execFileSync(process.execPath, [join(root, 'bin', 'cli.js'), 'secrets'], { encoding: 'utf8' }))
  const { db, close } = await createPgliteDatabase({ migrationsFolder })
  try {
    await migrate(db, { migrationsFolder }) // what `npx edge-token-managers migrate` applies; a second run is a no-op
    const app = createApp(db, { DATABASE_URL: 'unused', ...secrets } as unknown as Env)
    expect((await app.request('/sign-in', json({ username: 'ada', password: 'wrong' }))).status).toBe(401)
    const signIn = await app.request('/sign-in', json({ username: 'ada', password: 'let-me-in' }))
    const { token, refreshToken } = await signIn.json() as { token: string; refreshToken: string }
    const bearer = { headers: { Authorization: `Bearer ${token}` } }
    expect(await (await app.request('/api/me', bearer)).json()).toEqual({ user: 'ada' })
    expect((await app.request('/api/me')).status).toBe(401)
    const refreshed = await (await app.request('/auth/refresh', json({ refreshToken }))).json() as { token: string; refreshToken: string }
    expect(refreshed.refreshToken).not.toBe(refreshToken)
    const next = { headers: { Authorization: `Bearer ${refreshed.token}` } }
    expect((await app.request('/auth/sign-out', { method: 'POST', ...next })).status).toBe(204)
    expect((await app.request('/auth/refresh', json({ refreshToken: refreshed.refreshToken }))).status).toBe(400)
  } finally {
    await close()
  }
})
