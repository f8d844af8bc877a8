// docs/runtimes.md's Deno section from the packed tarball: its shell lines (npm install by package name,
// `migrate --url pglite://./data`) and its server block, read from the doc, run in an empty folder; the
// server then accepts an access token issued with the same secrets and refuses anything else.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createConnection } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { initializeAuthServices, JwtConfigFromPasswords } from '../../src/index.ts'
import { drizzleTokenStore } from '../../src/drizzle/index.ts'
import { createPgliteDatabase } from '../support/postgres.ts'

const root = join(import.meta.dirname, '..', '..')
const dir = mkdtempSync(join(tmpdir(), 'etm-deno-tarball-'))
const secrets = { jwtHmacSha512PrivateKey: 'deno-tarball-hs512-key-'.padEnd(64, 'k'), jwtRefreshTokenHashPepper: 'deno-tarball-pepper-'.padEnd(32, 'p') }
const env = {
  ...process.env, ...secrets, PATH: `${join(root, 'node_modules', '.bin')}:${dirname(process.execPath)}:${process.env.PATH}`,
  npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', DENO_NO_UPDATE_CHECK: '1',
} as NodeJS.ProcessEnv
let server: ChildProcess | undefined
afterAll(() => {
  if (server?.exitCode === null && server.pid) process.kill(-server.pid, 'SIGTERM')
  rmSync(dir, { recursive: true, force: true })
})

const sh = (script: string) => new Promise<string>((resolve, reject) =>
  execFile('sh', ['-e', '-c', script], { cwd: dir, env, timeout: 90_000 }, (error, stdout, stderr) =>
    (error ? reject(new Error(`${script}\n${stdout}${stderr}`)) : resolve(stdout))))

const portInUse = (port: number) => new Promise<boolean>((resolve) => {
  const socket = createConnection({ port, host: '127.0.0.1' }, () => (socket.destroy(), resolve(true)))
  socket.on('error', () => resolve(false))
})

it('Deno imports the packed package by name from node_modules; migrate creates the tables in PGlite’s folder', async () => {
  const doc = readFileSync(join(root, 'docs', 'runtimes.md'), 'utf8')
  const section = doc.slice(doc.indexOf('**Deno**'), doc.indexOf('**Bun**'))
  const shell = /```sh\n([\s\S]*?)```/.exec(section)![1]!.split('\n').map((line) => line.replace(/\s+#.*$/, '').trim()).filter(Boolean)
  const block = /```ts\n([\s\S]*?)```/.exec(section)![1]!
  expect(await portInUse(8000), 'port 8000 is taken: the doc’s server uses it').toBe(false)

  const [packed] = JSON.parse(await sh(`npm pack --json --ignore-scripts --pack-destination ${dir} ${root}`)) as { filename: string }[]
  // Offline: the install line's registry packages come from this checkout's installs; the tarball is as printed.
  const [install, migrate, run] = shell
  expect(install).toBe(`npm init -y && npm install ./${packed!.filename} drizzle-orm @electric-sql/pglite`)
  await sh(install!.replace(/ drizzle-orm @electric-sql\/pglite$/, ` ${join(root, 'node_modules', 'drizzle-orm')} ${join(root, 'node_modules', '@electric-sql', 'pglite')}`))
  const migrated = await sh(migrate!)
  expect(migrated).toContain('Applied 2 migration(s)')
  writeFileSync(join(dir, 'server.ts'), block)

  expect(run).toBe('deno run -A server.ts')
  server = spawn('sh', ['-c', run!], { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`deno never listened:\n${output}`)), 60_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8')
      if (/Listening on/.test(output)) (clearTimeout(timer), resolve())
    }
    server!.stdout!.on('data', onData)
    server!.stderr!.on('data', onData)
    server!.once('exit', (code) => reject(new Error(`deno exited (${code}):\n${output}`)))
  })

  const { db, close } = await createPgliteDatabase()
  try {
    const issuer = initializeAuthServices({ store: drizzleTokenStore(db), tokenManagerBuilders: [new JwtConfigFromPasswords(secrets)] })
    const { token } = await issuer.tokenManager.issueToken({ authUserId: 'ada', method: 'deno-test' })
    const ask = (authorization: string) => fetch('http://127.0.0.1:8000/', { headers: { authorization } })
    expect(await (await ask(`Bearer ${token}`)).json()).toEqual({ userId: 'ada' })
    expect((await ask(`Bearer ${token}x`)).status).toBe(401)
  } finally {
    await close()
  }
}, 150_000)
