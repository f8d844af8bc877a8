// `npm start` as a user runs it: the Node demo in its own process with embedded PGlite in a fresh data
// folder, driven over HTTP through its JSON API, then restarted to show data and secrets persist.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..', '..')
const dataDir = mkdtempSync(join(tmpdir(), 'etm-demo-'))
const userAgent = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'

interface Demo {
  process: ChildProcess
  url: string
  output: () => string
}

/** Starts `node demo/node.ts` (what `npm start` runs) and resolves once it prints its URL. */
function startDemo(): Promise<Demo> {
  const child = spawn(process.execPath, ['demo/node.ts'], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', ACCESS_TOKEN_LIFETIME: '30s' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  return new Promise((resolve, reject) => {
    // Generous: PGlite (WASM) boots slowly while other test files load both cores.
    const timer = setTimeout(() => reject(new Error(`demo did not print its URL:\n${output}`)), 90_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8')
      const url = /http:\/\/\S+\//.exec(output)?.[0]
      if (url) {
        clearTimeout(timer)
        resolve({ process: child, url, output: () => output })
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.once('exit', (code) => reject(new Error(`demo exited (${code}):\n${output}`)))
  })
}

async function stopDemo(demo: Demo): Promise<number | null> {
  if (demo.process.exitCode !== null) return demo.process.exitCode
  const exited = new Promise<number | null>((resolve) => demo.process.once('exit', (code) => resolve(code)))
  demo.process.kill('SIGTERM')
  return exited
}

let demo: Demo
beforeAll(async () => void (demo = await startDemo()), 120_000)
afterAll(async () => {
  if (demo) await stopDemo(demo)
  rmSync(dataDir, { recursive: true, force: true })
})

async function call(path: string, init: { method?: string; token?: string; json?: unknown } = {}) {
  const headers: Record<string, string> = { 'user-agent': userAgent }
  if (init.token) headers.authorization = `Bearer ${init.token}`
  if (init.json !== undefined) headers['content-type'] = 'application/json'
  const response = await fetch(new URL(path, demo.url), {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    headers,
    ...(init.json !== undefined && { body: JSON.stringify(init.json) }),
  })
  const text = await response.text()
  const isJson = response.headers.get('content-type')?.startsWith('application/json')
  return { status: response.status, body: isJson ? JSON.parse(text) : null, text }
}

describe('npm start (demo on Node + PGlite)', () => {
  let pat: string
  let jwtToken: string

  it('serves the page, telling it to refresh ahead of the configured lifetime', async () => {
    const page = await call('/')
    expect(page.status).toBe(200)
    for (const id of ['sign-in-form', 'sign-in-username', 'sign-in-kind', 'sign-in-submit', 'token-list', 'pat-form', 'sign-out-everywhere']) {
      expect(page.text).toContain(`data-testid="${id}"`)
    }
    expect(page.text).toContain('data-refresh-before-ms="10000"') // a third of ACCESS_TOKEN_LIFETIME=30s
  })

  it('signs in (JWT) and lists my tokens with the metadata written by onRefreshTokenCreated', async () => {
    expect((await call('/api/sign-in', { json: { username: 'no spaces allowed', kind: 'jwt', tokens: 'bearer' } })).body).toEqual({ error: 'invalid_request', code: 'ERR_INVALID_USERNAME' })
    const signIn = await call('/api/sign-in', { json: { username: 'Alice', kind: 'jwt', tokens: 'bearer' } })
    expect(signIn.status).toBe(200)
    expect(signIn.body).toMatchObject({ authStrategy: 'jwt', authUserId: 'alice', scopeNames: ['user'] })
    expect(Date.parse(signIn.body.tokenExpiresAt) - Date.now()).toBeLessThanOrEqual(30_000)
    jwtToken = signIn.body.token

    const tokens = await call('/api/tokens', { token: jwtToken })
    expect(tokens.body).toEqual([expect.objectContaining({
      tokenId: signIn.body.tokenId, tokenIssuer: 'jwt', method: 'demo', current: true,
      metadata: { name: 'sign-in (jwt)', deviceName: 'Firefox on Linux', ipAddress: '127.0.0.1', userAgent },
    })])
    expect((await call('/api/admin', { token: jwtToken })).status).toBe(403)
  })

  it('creates a named personal access token that refreshes like any refresh token', async () => {
    expect((await call('/api/pats', { token: jwtToken, json: { name: ' ' } })).status).toBe(400)
    // Text Postgres cannot store is the request's fault (400), never a 500.
    expect((await call('/api/pats', { token: jwtToken, json: { name: 'a\u0000b' } })).body).toEqual({ error: 'invalid_request', code: 'ERR_INVALID_NAME' })
    expect((await call('/api/pats', { token: jwtToken, json: { name: 'ok', deviceName: 'x\u0000' } })).status).toBe(400)
    expect((await call('/api/sign-in', { json: { username: 'ada', kind: 'jwt', deviceName: 'x\u0000' } })).body).toMatchObject({ code: 'ERR_INVALID_DEVICE_NAME' })
    const created = await call('/api/pats', { token: jwtToken, json: { name: 'CI deploys' } })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ authStrategy: 'jwt', scopeNames: ['api'] })
    expect(created.body.jwtRefreshTokenId).toBe(created.body.tokenId)

    const listed = (await call('/api/tokens', { token: jwtToken })).body
    expect(listed.find((t: { tokenId: string }) => t.tokenId === created.body.tokenId)).toMatchObject({
      method: 'pat', current: false, metadata: { name: 'CI deploys', deviceName: 'Personal access token' },
    })
    const refreshed = await call('/auth/refresh', { json: { refreshToken: created.body.refreshToken } })
    expect(refreshed.status).toBe(200)
    pat = refreshed.body.refreshToken
  })

  it('revokes one token (a session: rejected at once) and signs out everywhere', async () => {
    const session = (await call('/api/sign-in', { json: { username: 'alice', kind: 'session', deviceName: 'Phone', tokens: 'bearer' } })).body
    expect((await call('/api/me', { token: session.token })).body).toMatchObject({ userIdentifier: 'alice', tokenIssuer: 'session' })
    const listed = (await call('/api/tokens', { token: session.token })).body
    expect(listed.map((t: { tokenIssuer: string }) => t.tokenIssuer)).toEqual(['jwt', 'jwt', 'session'])
    expect(listed.at(-1)).toMatchObject({ current: true, metadata: { name: 'sign-in (session)', deviceName: 'Phone' } })

    expect((await call(`/auth/tokens/${session.tokenId}`, { method: 'DELETE', token: jwtToken })).status).toBe(204)
    expect((await call('/api/me', { token: session.token })).status).toBe(401)

    expect((await call('/auth/sign-out-all', { method: 'POST', token: jwtToken })).status).toBe(204)
    expect((await call('/api/tokens', { token: jwtToken })).body).toEqual([]) // the access token lives on until exp; its refresh token does not
    expect((await call('/auth/refresh', { json: { refreshToken: pat } })).body).toEqual({ error: 'invalid_grant', code: 'ERR_REFRESH_TOKEN_NOT_FOUND' })
  })

  it("runs the README's curl lines for `npm start` as printed (its port swapped for this run's)", async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    const section = readme.slice(readme.indexOf('## Two commands'), readme.indexOf('## Use from code'))
    const lines = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!).find((block) => block.includes('curl'))!
    expect(lines).toContain('localhost:3000/api/sign-in')
    const script = `${lines.replaceAll('localhost:3000', new URL(demo.url).host)}\nprintf '\\nREFRESH=%s\\n' "$REFRESH"`
    const output = await new Promise<string>((resolve, reject) =>
      execFile('sh', ['-e', '-c', script], { env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` } }, (error, stdout, stderr) =>
        (error ? reject(new Error(`${stdout}${stderr}`)) : resolve(stdout))))
    expect(output).toMatch(/^\{"userIdentifier":"ada"/)
    expect(output).toMatch(/"refreshToken":"etmrt_[^"]+".*\}204\n/)
    const spent = /REFRESH=(\S+)/.exec(output)![1]!
    const rotated = /"refreshToken":"(etmrt_[^"]+)"/.exec(output)![1]!
    expect(rotated).not.toBe(spent)
    expect((await call('/auth/refresh', { json: { refreshToken: rotated } })).status).toBe(400) // signed out
  })

  it('refuses a 32 MiB body on every API route that reads one (413), and still serves a small one', async () => {
    const big = JSON.stringify({ username: 'ada', kind: 'jwt', tokens: 'bearer', padding: 'x'.repeat(32 * 1024 * 1024) })
    for (const path of ['/api/sign-in', '/api/pats']) {
      for (const chunked of [false, true]) {
        // With a Content-Length, and streamed without one: both are cut off at the limit.
        const body = chunked ? new Blob([big]).stream() : big
        const response = await fetch(new URL(path, demo.url), {
          method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${jwtToken}` }, body, ...(chunked && { duplex: 'half' }),
        } as RequestInit)
        expect(response.status, `${path} chunked=${chunked}`).toBe(413)
        expect(await response.json()).toEqual({ error: 'invalid_request', code: 'ERR_BODY_TOO_LARGE' })
      }
    }
    expect((await call('/api/sign-in', { json: { username: 'ada', kind: 'jwt', tokens: 'bearer', padding: 'x'.repeat(8 * 1024) } })).status).toBe(200)
  })

  it('a port already in use ends the demo with one line that says what to do', async () => {
    const taken = new URL(demo.url).port
    const second = spawn(process.execPath, ['demo/node.ts'], { cwd: root, env: { ...process.env, DATA_DIR: `${dataDir}-second`, PORT: taken }, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    second.stdout.on('data', (chunk: Buffer) => void (output += chunk))
    second.stderr.on('data', (chunk: Buffer) => void (output += chunk))
    const code = await new Promise<number | null>((resolve) => second.once('exit', resolve))
    rmSync(`${dataDir}-second`, { recursive: true, force: true })
    expect(code).toBe(1)
    expect(output.trim()).toBe(`Port ${taken} is in use. Start the demo on another one: PORT=3001 npm start`)
  }, 120_000)

  it('keeps its data and generated secrets across a restart, and never prints them', async () => {
    const { token, refreshToken } = (await call('/api/sign-in', { json: { username: 'bob', kind: 'jwt', tokens: 'bearer' } })).body
    expect(await stopDemo(demo)).toBe(0)

    const secretsFile = join(dataDir, 'secrets.json')
    expect(statSync(secretsFile).mode & 0o777).toBe(0o600)
    const secrets = Object.values(JSON.parse(readFileSync(secretsFile, 'utf8'))) as string[]
    expect(secrets).toHaveLength(3)
    expect(secrets.every((s) => s.length >= 64)).toBe(true)
    const firstOutput = demo.output()

    demo = await startDemo()
    expect((await call('/api/me', { token })).status).toBe(200) // same signing key
    expect((await call('/auth/refresh', { json: { refreshToken } })).status).toBe(200) // same pepper, same rows
    for (const output of [firstOutput, demo.output()]) {
      expect(secrets.filter((s) => output.includes(s))).toEqual([])
    }
  })
})
