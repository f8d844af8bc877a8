// The README's quick start as a new user runs it: every command of that section, read from README.md
// itself (so the two cannot drift), in an empty folder with the packed tarball, against the local
// Postgres the README names — `wrangler dev` and the local Neon-HTTP endpoint included, then the curl lines.
// Offline: the install line's packages come from local copies (the tarball; this checkout's installs).
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createConnection } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { parseEnv } from 'node:util'
import pg from 'pg'
import { afterAll, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..', '..')
const dir = mkdtempSync(join(tmpdir(), 'etm-quick-start-'))
// The project's Node 22 first: current Wrangler needs it, as the README says.
const env = {
  ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}`, DATABASE_URL: undefined, NEON_FETCH_ENDPOINT: undefined,
  npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', WRANGLER_SEND_METRICS: 'false',
} as NodeJS.ProcessEnv

/** The fenced blocks of the README's "Quick start" section, in order, with their language. */
function quickStartBlocks(): { lang: string; text: string }[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('\n## ', readme.indexOf('## Quick start') + 1))
  return [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, text: m[2]! }))
}

const sh = (script: string) => new Promise<string>((resolve, reject) =>
  execFile('sh', ['-e', '-c', script], { cwd: dir, env, timeout: 90_000 }, (error, stdout, stderr) =>
    (error ? reject(new Error(`${script}\n${stdout}${stderr}`)) : resolve(stdout))))

/** Starts a long-running README line in its own process group; resolves once its output matches `ready`. */
function start(line: string, ready: RegExp): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn('sh', ['-c', line.replace(/&\s*$/, '')], { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  running.push(child)
  let output = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`"${line}" never became ready:\n${output}`)), 60_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8')
      if (ready.test(output)) {
        clearTimeout(timer)
        resolve({ child, output: () => output })
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => reject(new Error(`"${line}" exited (${code}):\n${output}`)))
  })
}

const portInUse = (port: number) => new Promise<boolean>((resolve) => {
  const socket = createConnection({ port, host: '127.0.0.1' }, () => (socket.destroy(), resolve(true)))
  socket.on('error', () => resolve(false))
})

const running: ChildProcess[] = []
let cleanDatabase: (() => Promise<void>) | undefined
afterAll(async () => {
  for (const child of running) if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGTERM')
  await cleanDatabase?.()
  rmSync(dir, { recursive: true, force: true })
})

/** The database the README's DATABASE_URL names. Tables this test creates there are dropped afterwards. */
async function rememberDatabase(url: string) {
  const query = async (text: string) => {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      return (await client.query(text)).rows
    } finally {
      await client.end()
    }
  }
  const present = async () => (await query(`select to_regclass('auth_refresh_token') is not null or to_regclass('auth_session') is not null or to_regclass('drizzle.__edge_token_managers_migrations') is not null as any`))[0].any as boolean
  if (await present()) return // someone's own tables: leave them as they are
  cleanDatabase = () => query('drop table if exists auth_refresh_token, auth_session, drizzle.__edge_token_managers_migrations').then(() => {})
}

it('every command of the README quick start works as printed, from an empty folder, under wrangler dev', async () => {
  const blocks = quickStartBlocks()
  const [setup, run, calls] = blocks.filter((b) => b.lang === 'sh')
  const toml = blocks.find((b) => b.lang === 'toml')!.text
  const source = blocks.find((b) => b.lang === 'ts')!.text
  expect(source.trim()).toBe(readFileSync(join(root, 'examples', 'quick-start.ts'), 'utf8').split('\n').slice(1).join('\n').trim())
  for (const port of [8787, 4444]) expect(await portInUse(port), `port ${port} is taken: the README's lines use it`).toBe(false)

  const [packed] = JSON.parse(await sh(`npm pack --json --ignore-scripts --pack-destination ${dir} ${root}`)) as { filename: string }[]
  // The files the README shows, at the paths it names.
  expect(toml).toMatch(/^main = "src\/index.ts"$/m)
  writeFileSync(join(dir, 'wrangler.toml'), toml)
  mkdirSync(join(dir, 'src'))
  writeFileSync(join(dir, 'src', 'index.ts'), source)

  // Offline, each package of the install line comes from a local copy; the line is otherwise run as printed.
  const localCopies: Record<string, string> = { 'edge-token-managers': `./${packed!.filename}` }
  for (const name of ['hono', 'drizzle-orm', '@neondatabase/serverless', 'pg', 'wrangler']) localCopies[name] = join(root, 'node_modules', name)
  const lines = setup!.text.split('\n').map((line) => line.replace(/\s+#.*$/, '').trim()).filter(Boolean)
  const [init, installLine] = lines[0]!.split(' && ')
  expect(init).toBe('npm init -y')
  await sh(init!)
  const install = installLine!.split(/\s+/)
  expect(install.slice(0, 2)).toEqual(['npm', 'install'])
  expect(install.slice(2).sort()).toEqual(Object.keys(localCopies).sort())
  await sh(['npm', 'install', ...install.slice(2).map((name) => localCopies[name])].join(' '))
  await sh(lines[1]!) // secrets --out .dev.vars
  expect(statSync(join(dir, '.dev.vars')).mode & 0o777).toBe(0o600)
  const devVars = parseEnv(readFileSync(join(dir, '.dev.vars'), 'utf8'))
  await rememberDatabase(devVars.DATABASE_URL!)
  for (const line of lines.slice(2)) await sh(line)

  const [endpointLine, devLine] = run!.text.split('\n').map((line) => line.replace(/\s+#.*$/, '').trim()).filter(Boolean)
  expect(endpointLine).toMatch(/&$/)
  await start(endpointLine!, /endpoint at http:\/\/127\.0\.0\.1:4444\/sql/)
  await start(devLine!, /Ready on http:\/\/localhost:8787/)

  // The curl lines as one script, as a terminal keeps $TOKEN and $REFRESH; then the rotated token's fate.
  const output = await sh(`${calls!.text}\nprintf '\\nREFRESH=%s\\n' "$REFRESH"`)
  expect(output).toContain('{"user":"ada"}')
  const pair = JSON.parse(/\{"authStrategy":"jwt".*?\}(?=204)/.exec(output)![0]) as { refreshToken: string }
  expect(output).toMatch(/\}204\n/)
  const spent = /REFRESH=(\S+)/.exec(output)![1]
  expect(pair.refreshToken).not.toBe(spent)
  const afterSignOut = await fetch('http://localhost:8787/auth/refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: pair.refreshToken }) })
  expect(afterSignOut.status).toBe(400) // signed out: the new refresh token is revoked too
}, 180_000)
