// A new project, as a user starts one: the packed tarball installed, the quick start copied from the
// README, the CLI's secrets and the shipped migrations — then sign in, call the API, refresh, sign out.
// No network: the tarball installs offline, and the quick start's own dependencies (hono, drizzle-orm,
// the Neon driver, PGlite for a database without a server) are linked from this checkout.
import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'

const root = join(import.meta.dirname, '..', '..')
const exec = (file: string, args: string[], cwd: string) => new Promise<string>((resolve, reject) =>
  execFile(file, args, { cwd }, (error, stdout, stderr) => (error ? reject(new Error(`${file} ${args.join(' ')}:\n${stdout}${stderr}`)) : resolve(stdout))))

// What a user writes next to the quick start to try it without a Neon account.
const tryIt = `
import { PGlite } from '@electric-sql/pglite'
import { drizzle } from 'drizzle-orm/pglite'
import { migrate } from 'drizzle-orm/pglite/migrator'
import { execFileSync } from 'node:child_process'
import { createApp } from './quick-start.ts'

const env = JSON.parse(execFileSync('node_modules/.bin/edge-token-managers', ['secrets', '--format', 'json'], { encoding: 'utf8' }))
const db = drizzle(new PGlite())
await migrate(db, { migrationsFolder: 'node_modules/edge-token-managers/drizzle' })
const app = createApp(db, { DATABASE_URL: 'unused', ...env })
const post = (body) => ({ method: 'POST', body: JSON.stringify(body) })
const steps = []
const signIn = await (await app.request('/sign-in', post({ username: 'ada', password: 'let-me-in' }))).json()
steps.push((await app.request('/api/me', { headers: { Authorization: 'Bearer ' + signIn.token } })).status)
const refreshed = await (await app.request('/auth/refresh', post({ refreshToken: signIn.refreshToken }))).json()
steps.push(refreshed.refreshToken !== signIn.refreshToken ? 'rotated' : 'same')
steps.push((await app.request('/auth/sign-out', { method: 'POST', headers: { Authorization: 'Bearer ' + refreshed.token } })).status)
steps.push((await app.request('/auth/refresh', post({ refreshToken: refreshed.refreshToken }))).status)
console.log(JSON.stringify(steps))
`

it('the packed package and the README quick start: authenticated route, refresh, sign-out', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'etm-quick-start-'))
  try {
    const [packed] = JSON.parse(await exec('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], root)) as { filename: string }[]
    writeFileSync(join(dir, 'package.json'), '{ "name": "my-app", "private": true, "type": "module" }')
    await exec('npm', ['install', '--offline', '--no-audit', '--no-fund', `./${packed!.filename}`], dir)
    for (const dependency of ['hono', 'drizzle-orm', '@neondatabase/serverless', '@electric-sql/pglite']) {
      mkdirSync(join(dir, 'node_modules', dependency, '..'), { recursive: true })
      symlinkSync(join(root, 'node_modules', dependency), join(dir, 'node_modules', dependency), 'dir')
    }
    cpSync(join(root, 'examples', 'quick-start.ts'), join(dir, 'quick-start.ts'))
    writeFileSync(join(dir, 'try-it.ts'), tryIt)
    const output = await exec(process.execPath, ['try-it.ts'], dir)
    expect(JSON.parse(output.trim().split('\n').at(-1)!)).toEqual([200, 'rotated', 204, 400])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}, 120_000)
