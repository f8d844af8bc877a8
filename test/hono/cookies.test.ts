// Cookie mode never locks anyone out and refuses cross-site writes: a dead cookie (junk, expired,
// revoked, planted by a sibling subdomain) is cleared and treated as no credentials on optional routes
// and by sign-out; `__Host-`/`__Secure-` cookies are cleared with the attributes browsers demand; a
// cookie-authenticated write started by another site gets 403, bearer requests are unaffected.
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { authenticate, authRoutes, tokenCookies, type TokenCookiesOptions } from '../../src/hono/index.ts'
import { ServerSideSessionsTokenManager, type AuthServices } from '../../src/index.ts'
import { createAuth, testClock } from '../support/auth.ts'
import { openDatabase, type OpenDatabase } from '../support/drivers.ts'

let database: OpenDatabase
beforeAll(async () => void (database = await openDatabase('pglite')))
afterAll(async () => database?.close())

const origin = 'http://localhost' // what app.request() uses as the request's own origin

function cookieApp(auth: AuthServices<unknown>, cookie: string, csrf?: TokenCookiesOptions['csrf']) {
  const app = new Hono()
  const cookies = tokenCookies({ session: cookie, ...(csrf !== undefined && { csrf }) })
  app.route('/auth', authRoutes(auth, { cookies }))
  app.get('/public', authenticate({ auth, cookies, optional: true }), (c) => c.json({ user: c.var.auth?.userIdentifier ?? null }))
  app.post('/public', authenticate({ auth, cookies, optional: true }), (c) => c.json({ user: c.var.auth?.userIdentifier ?? null }))
  return app
}
const withCookie = (name: string, value: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
  ({ ...init, headers: { ...init.headers, Cookie: `${name}=${value}` } })
const post = (headers: Record<string, string> = {}) => ({ method: 'POST', headers: { 'content-type': 'text/plain', ...headers } })

function setup(cookie = 'session') {
  const clock = testClock()
  const { auth } = createAuth(database.db, 'session', { clock, session: { defaultSessionLifetime: '1h' } })
  const sessions = auth.getTokenManager(ServerSideSessionsTokenManager)
  return { auth, clock, app: cookieApp(auth, cookie), issue: (user: string) => sessions.issueToken({ authUserId: user, method: 'email' }) }
}
/** The Set-Cookie that clears `name`, if the response has one. */
const clearing = (response: Response, name: string) =>
  response.headers.getSetCookie().find((line) => line.startsWith(`${name}=;`) && /Max-Age=0/.test(line))

describe('a dead cookie never locks anyone out', () => {
  it('junk, expired or revoked: an optional route answers anonymously and clears the cookie', async () => {
    const { auth, clock, app, issue } = setup()
    const expired = await issue('cookie-expired')
    const revoked = await issue('cookie-revoked')
    await auth.tokenManager.revokeToken({ tokenId: revoked.tokenId })
    clock.advance(61 * 60_000)
    for (const value of ['junk', expired.token, revoked.token, `etmst_${'A'.repeat(66)}`]) {
      for (const method of ['GET', 'POST']) {
        const response = await app.request('/public', withCookie('session', value, { method, headers: { 'Sec-Fetch-Site': 'same-origin' } }))
        expect(response.status, `${method} ${value.slice(0, 12)}`).toBe(200)
        expect(await response.json()).toEqual({ user: null })
        expect(clearing(response, 'session')).toBeDefined()
      }
    }
  })

  it('a live cookie authenticates and is left alone; a bad bearer token on an optional route is still 401', async () => {
    const { app, issue } = setup()
    const live = await issue('cookie-live')
    const response = await app.request('/public', withCookie('session', live.token))
    expect(await response.json()).toEqual({ user: 'cookie-live' })
    expect(response.headers.getSetCookie()).toEqual([])
    expect((await app.request('/public', { headers: { Authorization: 'Bearer junk' } })).status).toBe(401)
  })

  it('sign-out and sign-out-all with a dead cookie (junk, expired, revoked, no such row): 204 and the cookie cleared; with no credentials: 401', async () => {
    const { auth, clock, app, issue } = setup()
    const expired = await issue('sign-out-expired')
    const revoked = await issue('sign-out-revoked')
    await auth.tokenManager.revokeToken({ tokenId: revoked.tokenId })
    clock.advance(61 * 60_000)
    for (const path of ['/auth/sign-out', '/auth/sign-out-all']) {
      for (const value of ['junk', expired.token, revoked.token, `etmst_${'A'.repeat(66)}`]) {
        const response = await app.request(path, withCookie('session', value, post({ 'Sec-Fetch-Site': 'same-origin' })))
        expect(response.status, `${path} ${value.slice(0, 12)}`).toBe(204)
        expect(clearing(response, 'session'), path).toBeDefined()
      }
      expect((await app.request(path, post())).status).toBe(401)
    }
  })
})

describe.each(['__Host-session', '__Secure-session'])('the %s cookie', (name) => {
  it('authenticates, signs out (revoking the session) and is cleared with Secure and Path=/', async () => {
    const { auth, app, issue } = setup(name)
    const session = await issue(`cookie-${name}`)
    expect(await (await app.request('/public', withCookie(name, session.token))).json()).toEqual({ user: `cookie-${name}` })
    const response = await app.request('/auth/sign-out', withCookie(name, session.token, post({ Origin: origin })))
    expect(response.status).toBe(204)
    const cleared = clearing(response, name)
    expect(cleared).toMatch(/; Path=\//)
    expect(cleared).toMatch(/; Secure/)
    expect(cleared).not.toMatch(/Domain=/i)
    expect(await auth.tokenManager.validateToken(session.token)).toBeNull()
  })
})

describe('cross-site writes with the cookie are refused', () => {
  const crossSite: Record<string, Record<string, string>> = {
    'Sec-Fetch-Site: cross-site': { 'Sec-Fetch-Site': 'cross-site' },
    'Sec-Fetch-Site: same-site (a sibling subdomain)': { 'Sec-Fetch-Site': 'same-site', Origin: 'https://evil.localhost' },
    'a foreign Origin, no Sec-Fetch-Site (older browsers)': { Origin: 'https://evil.example' },
  }
  it.each(Object.keys(crossSite))('%s → 403 on every state-changing route, and nothing is revoked', async (label) => {
    const { auth, app, issue } = setup()
    const session = await issue(`csrf-${label}`)
    for (const path of ['/auth/sign-out', '/auth/sign-out-all', '/public']) {
      const response = await app.request(path, withCookie('session', session.token, post(crossSite[label])))
      expect(response.status, path).toBe(403)
      expect(await response.json()).toEqual({ error: 'access_denied', code: 'ERR_CROSS_SITE_REQUEST' })
    }
    expect(await auth.tokenManager.validateToken(session.token)).not.toBeNull()
  })

  it('same-origin, no browser headers, bearer from anywhere, a trusted origin, or csrf: false → allowed', async () => {
    const { auth, issue } = setup()
    const trusted = cookieApp(auth, 'session', { trustedOrigins: ['https://app.example'] })
    const off = cookieApp(auth, 'session', false)
    const cases: [Hono, RequestInit][] = []
    for (const headers of [{ 'Sec-Fetch-Site': 'same-origin' }, { Origin: origin }, {}] as Record<string, string>[]) {
      cases.push([cookieApp(auth, 'session'), withCookie('session', (await issue('csrf-ok')).token, post(headers))])
    }
    cases.push([cookieApp(auth, 'session'), post({ Authorization: `Bearer ${(await issue('csrf-bearer')).token}`, 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example' })])
    cases.push([trusted, withCookie('session', (await issue('csrf-trusted')).token, post({ 'Sec-Fetch-Site': 'cross-site', Origin: 'https://app.example' }))])
    cases.push([off, withCookie('session', (await issue('csrf-off')).token, post({ 'Sec-Fetch-Site': 'cross-site' }))])
    for (const [app, init] of cases) expect((await app.request('/auth/sign-out', init)).status).toBe(204)
  })

  it('trusted origins are compared as origins (case, trailing slash); a value that is no origin is a config error', async () => {
    const { auth, issue } = setup()
    const app = cookieApp(auth, 'session', { trustedOrigins: ['https://App.example:443/'] })
    const response = await app.request('/auth/sign-out', withCookie('session', (await issue('csrf-normalized')).token, post({ Origin: 'https://app.example' })))
    expect(response.status).toBe(204)
    for (const origin of ['app.example', 'null', 'mailto:a@app.example']) {
      expect(() => tokenCookies({ session: 'session', csrf: { trustedOrigins: [origin] } }), origin).toThrow(expect.objectContaining({ code: 'ERR_CONFIG' }))
    }
  })

  it('an Authorization header of another scheme (Basic, Negotiate, junk) does not exempt sign-out: 403 cross-site, nothing revoked; Bearer does', async () => {
    const { auth } = createAuth(database.db, 'multi')
    const app = new Hono().route('/auth', authRoutes(auth, { cookies: tokenCookies({ refresh: '__Secure-refresh', refreshPath: '/auth' }) }))
    const signedIn = await auth.tokenManager.issueToken({ authUserId: 'basic-gated', method: 'password' })
    // An app behind an HTTP Basic gate: the browser adds the header to every request, a sibling's form included.
    for (const path of ['/auth/sign-out', '/auth/sign-out-all']) {
      for (const authorization of ['Basic YWxpY2U6cGFzcw==', 'Negotiate YIIB', 'junk']) {
        const response = await app.request(path, withCookie('__Secure-refresh', signedIn.refreshToken!, post({ Authorization: authorization, 'Sec-Fetch-Site': 'same-site', Origin: 'https://evil.localhost' })))
        expect(response.status, `${path} ${authorization}`).toBe(403)
        expect(await response.json()).toEqual({ error: 'access_denied', code: 'ERR_CROSS_SITE_REQUEST' })
      }
    }
    expect(await auth.tokenManager.listTokens({ authUserId: 'basic-gated' })).toHaveLength(1)
    const bearer = await app.request('/auth/sign-out', withCookie('__Secure-refresh', signedIn.refreshToken!, post({ Authorization: `Bearer ${signedIn.token}`, 'Sec-Fetch-Site': 'cross-site' })))
    expect(bearer.status).toBe(204)
    expect(await auth.tokenManager.listTokens({ authUserId: 'basic-gated' })).toHaveLength(0)
  })

  it('reads are not writes: a cross-site GET with the cookie still authenticates', async () => {
    const { app, issue } = setup()
    const session = await issue('csrf-get')
    const response = await app.request('/public', withCookie('session', session.token, { headers: { 'Sec-Fetch-Site': 'cross-site' } }))
    expect(await response.json()).toEqual({ user: 'csrf-get' })
  })
})

describe('cookie mode in one place', () => {
  it('authenticate reads the session cookie of the tokenCookies() object, with its cross-site rule; the old `cookie`/`csrf` options are refused', async () => {
    const { auth, issue } = setup()
    const cookies = tokenCookies({ session: 'session', csrf: { trustedOrigins: ['https://app.example'] } })
    const app = new Hono().post('/write', authenticate({ auth, cookies }), (c) => c.json({ user: c.var.auth.userIdentifier }))
    const session = await issue('one-place')
    const trusted = await app.request('/write', withCookie('session', session.token, post({ 'Sec-Fetch-Site': 'cross-site', Origin: 'https://app.example' })))
    expect(await trusted.json()).toEqual({ user: 'one-place' })
    expect((await app.request('/write', withCookie('session', session.token, post({ 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example' })))).status).toBe(403)
    for (const legacy of [{ cookie: 'session' }, { csrf: false }]) {
      expect(() => authenticate({ auth, ...legacy } as never), JSON.stringify(legacy)).toThrow(expect.objectContaining({ code: 'ERR_CONFIG' }))
    }
  })

  it('a cookie lifetime past the 400 days browsers keep is clamped to them, not refused', async () => {
    const { auth } = createAuth(database.db, 'jwt', { clock: 'database', jwt: { refreshTokenLifetime: '500d' } })
    const cookies = tokenCookies()
    const app = new Hono().post('/sign-in', async (c) => cookies.respond(c, await auth.tokenManager.issueToken({ authUserId: 'long-lived', method: 'password' })))
    const response = await app.request('/sign-in', post())
    expect(response.status).toBe(200)
    const line = response.headers.getSetCookie().find((l) => l.startsWith('__Host-refresh=etmrt_'))!
    const expires = Date.parse(/Expires=([^;]+)/.exec(line)![1]!)
    expect(expires - Date.now()).toBeLessThanOrEqual(400 * 86_400_000)
    expect(expires - Date.now()).toBeGreaterThan(399 * 86_400_000)
  })
})
