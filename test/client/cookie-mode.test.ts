// The client in cookie mode against the real routes (tokenCookies over PGlite, the server on the real
// clock): tabs are clients of one origin sharing a cookie jar, a BroadcastChannel and an in-process lock,
// as a browser's tabs share cookies, channels and Web Locks. Each device clock is moved by hand.
import { Hono } from 'hono'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createAuthClient, memoryStorage, type AuthClient, type SignOutReason } from '../../src/client/index.ts'
import { authenticate, authRoutes, tokenCookies } from '../../src/hono/index.ts'
import { JwtTokenManager, ServerSideSessionsTokenManager, type AuthServices } from '../../src/index.ts'
import { createAuth } from '../support/auth.ts'
import { CookieJar } from '../conformance/cookie-jar.ts'
import { openDatabase, type OpenDatabase } from '../support/drivers.ts'
import { inProcessLocks } from './tabs.ts'

let database: OpenDatabase
let auth: AuthServices
let app: Hono
const cookies = tokenCookies()
let origins = 0

beforeAll(async () => {
  database = await openDatabase('pglite')
  auth = createAuth(database.db, 'multi', { clock: 'database', jwt: { accessTokenLifetime: '1m' } }).auth
  app = new Hono()
  app.post('/sign-in/:kind', async (c) => {
    const manager = c.req.param('kind') === 'session' ? auth.getTokenManager(ServerSideSessionsTokenManager) : auth.getTokenManager(JwtTokenManager)
    return cookies.respond(c, await manager.issueToken({ authUserId: c.req.query('user')!, method: 'password' }))
  })
  app.route('/auth', authRoutes(auth, { cookies }))
  app.get('/api/me', authenticate({ auth, cookies }), (c) => c.json({ user: c.var.auth.userIdentifier }))
})
afterAll(() => database?.close())
afterEach(() => vi.unstubAllGlobals())

/** One browser (a cookie jar, a lock) on its own origin; `tab()` opens a page on it with its own client and clock. */
function browser() {
  const jar = new CookieJar()
  const lock = inProcessLocks()
  const baseUrl = `http://app-${++origins}.localhost` // a channel name of its own: no cross-talk between tests
  const exchanges: string[] = []
  const network = { down: false }
  /** What every page script could have seen: each response body, the client's state, every broadcast. */
  const seenByScripts: string[] = []
  const spy = new BroadcastChannel(`edge-token-managers.auth:${baseUrl}`)
  spy.onmessage = (event) => void seenByScripts.push(JSON.stringify(event.data))
  ;(spy as { unref?: () => void }).unref?.()
  const send = async (request: Request) => {
    if (network.down) throw new TypeError('Failed to fetch')
    const path = new URL(request.url).pathname
    const cookie = jar.header(path)
    const forwarded = new Request(request, { headers: { ...Object.fromEntries(request.headers), 'Sec-Fetch-Site': 'same-origin', ...(cookie && { Cookie: cookie }) } })
    const response = await app.fetch(forwarded)
    jar.take(response)
    exchanges.push(`${request.method} ${path} ${response.status}`)
    seenByScripts.push(await response.clone().text())
    return response
  }
  function tab() {
    let skewMs = 0
    const signedOut: SignOutReason[] = []
    const client = createAuthClient({
      baseUrl, mode: 'cookie', lock, fetch: send,
      clock: () => new Date(Date.now() + skewMs),
      onSignedOut: ({ reason }) => void signedOut.push(reason),
    })
    client.onChange((value) => void seenByScripts.push(JSON.stringify(value)))
    return { client, signedOut, advance: (ms: number) => void (skewMs += ms) }
  }
  async function signIn(client: AuthClient, kind: 'jwt' | 'session', user: string) {
    const response = await send(new Request(`${baseUrl}/sign-in/${kind}?user=${user}`, { method: 'POST' }))
    client.signIn(await response.json())
  }
  return { jar, exchanges, network, seenByScripts, tab, signIn, refreshes: () => exchanges.filter((e) => e.startsWith('POST /auth/refresh')), close: () => spy.close() }
}

/** Resolves once `condition()` holds; broadcasts arrive on a later turn of the event loop. */
async function until(condition: () => boolean) {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5))
  expect(condition()).toBe(true)
}

const tokensOf = async (user: string) => auth.tokenManager.listTokens({ authUserId: user })

describe('cookie mode client', () => {
  it('refreshes through the cookie before expiry; no page script ever sees the refresh token', async () => {
    const b = browser()
    const { client, advance } = b.tab()
    await b.signIn(client, 'jwt', 'cm-refresh')
    expect(client.authSuccess).toMatchObject({ authStrategy: 'jwt', refreshToken: null, authUserId: 'cm-refresh' })
    const refreshTokens = new Set([b.jar.get(cookies.refresh)!])
    for (let round = 0; round < 3; round++) {
      advance(45_000) // 15 s left on the device's clock: inside the 30 s refresh window
      const before = client.authSuccess!.token
      expect((await client.fetch('/api/me')).status).toBe(200)
      expect(client.authSuccess!.token).not.toBe(before)
      refreshTokens.add(b.jar.get(cookies.refresh)!)
    }
    expect(b.refreshes()).toEqual(['POST /auth/refresh 200', 'POST /auth/refresh 200', 'POST /auth/refresh 200'])
    expect(refreshTokens.size).toBe(4)
    const seen = b.seenByScripts.join('\n')
    for (const refreshToken of refreshTokens) expect(seen).not.toContain(refreshToken)
    b.close()
  })

  it('resume() on a new page: a JWT sign-in refreshes once; a session is reported; no cookie is simply signed out', async () => {
    const b = browser()
    await b.signIn(b.tab().client, 'jwt', 'cm-resume')
    const reloaded = b.tab()
    expect(reloaded.client.authSuccess).toBeNull()
    expect(await reloaded.client.resume()).toMatchObject({ authStrategy: 'jwt', authUserId: 'cm-resume', refreshToken: null })
    expect((await reloaded.client.fetch('/api/me')).status).toBe(200)
    expect(b.refreshes()).toHaveLength(1)

    const s = browser()
    await s.signIn(s.tab().client, 'session', 'cm-resume-session')
    const page = s.tab()
    expect(await page.client.resume()).toMatchObject({ authStrategy: 'session', token: null, authUserId: 'cm-resume-session' })
    expect(await (await page.client.fetch('/api/me')).json()).toEqual({ user: 'cm-resume-session' })
    expect(s.seenByScripts.join('\n')).not.toContain(s.jar.get(cookies.session)!)

    const fresh = browser().tab()
    expect(await fresh.client.resume()).toBeNull()
    expect(fresh.signedOut).toEqual([]) // it never was signed in
    for (const x of [b, s]) x.close()
  })

  it('two tabs refreshing at once: one rotation, the same access token in both, nobody signed out', async () => {
    const b = browser()
    const first = b.tab()
    const second = b.tab()
    await b.signIn(first.client, 'jwt', 'cm-two-tabs')
    await until(() => second.client.authSuccess !== null) // the sign-in reached the other tab
    for (const t of [first, second]) t.advance(45_000)
    const statuses = await Promise.all([first.client.fetch('/api/me'), second.client.fetch('/api/me')])
    expect(statuses.map((r) => r.status)).toEqual([200, 200])
    expect(b.refreshes()).toEqual(['POST /auth/refresh 200'])
    expect(first.client.authSuccess!.token).toBe(second.client.authSuccess!.token)
    expect([...first.signedOut, ...second.signedOut]).toEqual([])
    b.close()
  })

  it('sign-out in one tab ends the others, revokes on the server and clears the cookie', async () => {
    const b = browser()
    const first = b.tab()
    const second = b.tab()
    await b.signIn(first.client, 'jwt', 'cm-sign-out')
    await until(() => second.client.authSuccess !== null)
    expect(await first.client.signOut()).toBe(true)
    await until(() => second.signedOut.length > 0)
    expect(second.signedOut).toEqual(['elsewhere'])
    expect(b.jar.get(cookies.refresh)).toBeUndefined()
    expect(await tokensOf('cm-sign-out')).toEqual([])
    b.close()
  })

  it('an offline sign-out clears locally; the next resume() finishes it on the server instead of signing back in', async () => {
    const flags = new Map<string, string>()
    vi.stubGlobal('localStorage', { getItem: (k: string) => flags.get(k) ?? null, setItem: (k: string, v: string) => void flags.set(k, v), removeItem: (k: string) => void flags.delete(k) })
    const b = browser()
    const page = b.tab()
    await b.signIn(page.client, 'jwt', 'cm-offline')
    b.network.down = true
    expect(await page.client.signOut()).toBe(false)
    expect(page.client.authSuccess).toBeNull()
    expect([...flags.values()]).toEqual(['1']) // a flag, no token
    expect(await tokensOf('cm-offline')).toHaveLength(1) // still alive: the server never heard
    b.network.down = false
    const reloaded = b.tab()
    expect(await reloaded.client.resume()).toBeNull()
    expect(b.exchanges.at(-1)).toBe('POST /auth/sign-out 204')
    expect(await tokensOf('cm-offline')).toEqual([])
    expect(b.jar.get(cookies.refresh)).toBeUndefined()
    expect(flags.size).toBe(0)
    expect(await b.tab().client.resume()).toBeNull()
    b.close()
  })

  it('a dead refresh cookie signs every tab out (rejected); a revoked session cookie too', async () => {
    const b = browser()
    const page = b.tab()
    await b.signIn(page.client, 'jwt', 'cm-dead')
    await auth.tokenManager.revokeAllTokens({ authUserId: 'cm-dead' })
    page.advance(45_000)
    await page.client.fetch('/api/me')
    expect(page.signedOut).toEqual(['rejected'])
    expect(b.jar.get(cookies.refresh)).toBeUndefined()

    const s = browser()
    const sessionPage = s.tab()
    await s.signIn(sessionPage.client, 'session', 'cm-dead-session')
    await auth.tokenManager.revokeAllTokens({ authUserId: 'cm-dead-session' })
    expect((await sessionPage.client.fetch('/api/me')).status).toBe(401)
    expect(sessionPage.signedOut).toEqual(['rejected'])
    for (const x of [b, s]) x.close()
  })

  it('refuses a storage: cookie mode keeps the access token in memory', () => {
    expect(() => createAuthClient({ baseUrl: 'http://localhost', mode: 'cookie', storage: memoryStorage() })).toThrow(TypeError)
  })
})
