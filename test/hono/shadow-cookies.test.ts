// A token cookie the browser sends twice (a sibling subdomain planted a `Domain=` copy) is trusted in
// neither copy: the answer is a 307 to the same URL whose Set-Cookie lines delete every planted copy but
// never this host's own cookie, so the repeated request carries the victim's cookie alone. The same when
// both token kinds arrive at once and one of them could be planted. Copies that cannot be deleted never
// cause a redirect loop. Also the pure helpers behind it: the raw header reader, paths and domains.
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JwtTokenManager, ServerSideSessionsTokenManager } from '../../src/index.ts'
import { authenticate, authRoutes, tokenCookies, type TokenCookiesOptions } from '../../src/hono/index.ts'
import { cookieValues } from '../../src/hono/cookie-header.ts'
import { matchingCookieDomains, matchingCookiePaths } from '../../src/hono/cookie-lines.ts'
import { createAuth } from '../support/auth.ts'
import { openDatabase, type OpenDatabase } from '../support/drivers.ts'

let database: OpenDatabase
beforeAll(async () => void (database = await openDatabase('pglite')))
afterAll(async () => database?.close())

const origin = 'https://app.example.test'
const unprefixed: TokenCookiesOptions = { session: 'session', refresh: 'refresh', refreshPath: '/auth' }

function setup(options: TokenCookiesOptions = unprefixed) {
  const { auth } = createAuth(database.db, 'multi')
  const cookies = tokenCookies(options)
  const app = new Hono()
  app.route('/auth', authRoutes(auth, { cookies }))
  app.get('/api/me', authenticate({ auth, cookies }), (c) => c.json({ user: c.var.auth.userIdentifier }))
  const jwt = auth.getTokenManager(JwtTokenManager)
  const sessions = auth.getTokenManager(ServerSideSessionsTokenManager)
  return {
    auth, cookies,
    refreshToken: async (user: string) => (await jwt.issueToken({ authUserId: user, method: 'password' })).refreshToken!,
    sessionToken: async (user: string) => (await sessions.issueToken({ authUserId: user, method: 'password' })).token,
    request: (path: string, cookie: string, init: { method?: string; headers?: Record<string, string> } = {}) =>
      app.request(`${origin}${path}`, { method: init.method ?? 'POST', headers: { 'Sec-Fetch-Site': 'same-origin', Cookie: cookie, ...init.headers } }),
  }
}

/** The `Domain` (or `host-only`) and `Path` of each Set-Cookie line that deletes `name`. */
const deletions = (response: Response, name: string) => response.headers.getSetCookie()
  .filter((line) => line.startsWith(`${name}=;`) && /Max-Age=0/.test(line))
  .map((line) => `${/Domain=([^;]+)/.exec(line)?.[1] ?? 'host-only'} ${/Path=([^;]+)/.exec(line)![1]}`)

describe('a token cookie sent twice', () => {
  it('refresh: no copy is used; a 307 to the same URL deletes the planted copies at every matching Domain and path, never the own cookie', async () => {
    const { refreshToken, request } = setup()
    const [mallorys, alices] = [await refreshToken('mallory'), await refreshToken('alice')]
    const response = await request('/auth/refresh', `refresh=${mallorys}; refresh=${alices}`)
    expect(response.status).toBe(307)
    expect(response.headers.get('location')).toBe('/auth/refresh?shadow-cookies-evicted')
    expect(response.headers.get('cache-control')).toBe('no-store')
    const paths = ['/', '/auth', '/auth/', '/auth/refresh']
    expect(deletions(response, 'refresh').sort()).toEqual([
      ...paths.map((path) => `app.example.test ${path}`),
      ...paths.map((path) => `example.test ${path}`),
      // This host's own refresh cookie lives at /auth: that one is kept.
      ...paths.filter((path) => path !== '/auth').map((path) => `host-only ${path}`),
    ].sort())
    // Neither was used: no successor was set, and no token is in the answer.
    expect(response.headers.getSetCookie().every((line) => line.startsWith('refresh=;'))).toBe(true)
    expect(await response.text()).toBe('')
  })

  it('the repeated request with the own cookie alone refreshes it; copies that would not go away count as no cookie, without a loop or a clearing', async () => {
    const { refreshToken, request } = setup()
    const alices = await refreshToken('alice')
    const clean = await request('/auth/refresh?shadow-cookies-evicted', `refresh=${alices}`)
    expect(clean.status).toBe(200)
    expect(await clean.json()).toMatchObject({ authUserId: 'alice' })
    const stuck = await request('/auth/refresh?shadow-cookies-evicted', `refresh=junk; refresh=${await refreshToken('alice')}`)
    expect(stuck.status).toBe(400)
    expect(await stuck.json()).toMatchObject({ code: 'ERR_INVALID_REQUEST' })
    expect(stuck.headers.getSetCookie()).toEqual([])
  })

  it('a __Host- name sent twice (no browser lets another host plant one) is no cookie: no redirect, nothing cleared', async () => {
    const { refreshToken, request } = setup({})
    const response = await request('/auth/refresh', `__Host-refresh=${await refreshToken('mallory')}; __Host-refresh=${await refreshToken('alice')}`)
    expect(response.status).toBe(400)
    expect(response.headers.getSetCookie()).toEqual([])
  })

  it('authenticate and sign-out do the same; the query is kept; nothing is revoked', async () => {
    const { auth, sessionToken, refreshToken, request } = setup()
    const [mallorys, alices] = [await sessionToken('mallory'), await sessionToken('alice')]
    const me = await request('/api/me?tab=2', `session=${mallorys}; session=${alices}`, { method: 'GET' })
    expect(me.status).toBe(307)
    expect(me.headers.get('location')).toBe('/api/me?tab=2&shadow-cookies-evicted')
    expect(deletions(me, 'session')).toContain('example.test /api/me')
    expect(deletions(me, 'session')).not.toContain('host-only /')
    for (const path of ['/auth/sign-out', '/auth/sign-out-all']) {
      expect((await request(path, `session=${mallorys}; session=${alices}`)).status, path).toBe(307)
      expect((await request(path, `refresh=${await refreshToken('mallory')}; refresh=junk`)).status, path).toBe(307)
    }
    for (const token of [mallorys, alices]) expect(await auth.tokenManager.validateToken(token)).not.toBeNull()
  })

  it('from another site it is refused (403) before anything else', async () => {
    const { refreshToken, request } = setup()
    const response = await request('/auth/refresh', `refresh=${await refreshToken('alice')}; refresh=junk`, { headers: { 'Sec-Fetch-Site': 'same-site' } })
    expect(response.status).toBe(403)
    expect(response.headers.getSetCookie()).toEqual([])
  })
})

describe('both token kinds at once (respond keeps one kind only)', () => {
  it('with names anyone can plant: no copy is used, both are evicted', async () => {
    const { sessionToken, refreshToken, request } = setup()
    const response = await request('/auth/refresh', `session=${await sessionToken('mallory')}; refresh=${await refreshToken('alice')}`)
    expect(response.status).toBe(307)
    expect(deletions(response, 'session')).toContain('example.test /auth/refresh')
    expect(deletions(response, 'refresh')).toContain('example.test /auth/refresh')
  })

  it('a __Host- session next to a __Secure- refresh cookie: only the refresh cookie is suspect', async () => {
    const { sessionToken, refreshToken, request } = setup({ refresh: '__Secure-refresh', refreshPath: '/auth' })
    const response = await request('/auth/refresh', `__Secure-refresh=${await refreshToken('mallory')}; __Host-session=${await sessionToken('alice')}`)
    expect(response.status).toBe(307)
    expect(deletions(response, '__Host-session')).toEqual([])
    expect(deletions(response, '__Secure-refresh')).toContain('example.test /auth/refresh')
    const retried = await request('/auth/refresh?shadow-cookies-evicted', `__Host-session=${await sessionToken('alice')}`)
    expect(await retried.json()).toMatchObject({ authStrategy: 'session', authUserId: 'alice' })
  })

  it('with the default names (both __Host-) nothing is suspect: the refresh cookie is used as before', async () => {
    const { sessionToken, refreshToken, request } = setup({})
    const response = await request('/auth/refresh', `__Host-session=${await sessionToken('bob')}; __Host-refresh=${await refreshToken('alice')}`)
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ authStrategy: 'jwt', authUserId: 'alice' })
  })
})

describe('the pieces', () => {
  it('cookieValues reads every copy of a name from the raw header, in order', () => {
    expect(cookieValues('a=1; refresh=x; b=2;refresh="y" ; refreshx=z; refresh=%41', 'refresh')).toEqual(['x', 'y', 'A'])
    expect(cookieValues(undefined, 'refresh')).toEqual([])
    expect(cookieValues('refresh=%E0%A4%A', 'refresh')).toEqual(['%E0%A4%A'])
  })

  it('the paths whose cookies a request carries, and the domains that may set them', () => {
    expect(matchingCookiePaths('/auth/refresh')).toEqual(['/', '/auth', '/auth/', '/auth/refresh'])
    expect(matchingCookiePaths('/a/')).toEqual(['/', '/a', '/a/'])
    expect(matchingCookieDomains('app.example.test')).toEqual(['app.example.test', 'example.test'])
    for (const host of ['localhost', '127.0.0.1', '[::1]']) expect(matchingCookieDomains(host), host).toEqual([])
  })
})
