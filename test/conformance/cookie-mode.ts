// Cookie mode on the runtime under test: the long-lived token of a browser sign-in lives in an HttpOnly
// cookie, bodies carry only what a page script may hold, refresh and sign-out work from the cookie alone,
// a dead cookie is cleared, and cookie-borne writes from another site are refused. Real clock throughout:
// cookie lifetimes are computed on it.
import { JwtTokenManager, ServerSideSessionsTokenManager, type AuthServices } from 'edge-token-managers'
import { authenticate, authRoutes, tokenCookies, type TokenCookiesOptions } from 'edge-token-managers/hono'
import { Hono } from 'hono'
import { CookieJar } from './cookie-jar.ts'
import { assert, deepEqual, equal, match, suite } from './harness.ts'
import { createAuth, hs512Config, newUserId, sessionsConfig, type ConformanceContext } from './support.ts'

const origin = 'https://app.example.test'

function cookieApp(ctx: ConformanceContext, options: TokenCookiesOptions = {}) {
  const { auth } = createAuth(ctx, [hs512Config(), sessionsConfig({ defaultSessionLifetime: '1h' })], { clock: 'database' })
  const cookies = tokenCookies(options)
  const app = new Hono()
  app.post('/sign-in/:kind', async (c) => {
    const manager = c.req.param('kind') === 'session' ? auth.getTokenManager(ServerSideSessionsTokenManager) : auth.getTokenManager(JwtTokenManager)
    return cookies.respond(c, await manager.issueToken({ authUserId: c.req.query('user')!, method: 'password' }))
  })
  app.route('/auth', authRoutes(auth, { cookies }))
  app.get('/api/me', authenticate({ auth, cookies }), (c) => c.json({ user: c.var.auth.userIdentifier, via: c.var.auth.tokenIssuer }))
  const jar = new CookieJar()
  const redirects: string[] = []
  /**
   * A same-origin browser request on https://app.example.test: the jar's cookies for the path,
   * `Sec-Fetch-Site: same-origin`, and a 307 followed as fetch follows it (its cookies taken first).
   */
  const browser = async (method: string, path: string, headers: Record<string, string> = {}) => {
    for (let hops = 0; ; hops++) {
      const cookie = jar.header(new URL(path, origin).pathname)
      const response = await app.request(`${origin}${path}`, { method, headers: { 'Sec-Fetch-Site': 'same-origin', ...(cookie && { Cookie: cookie }), ...headers } })
      jar.take(response.clone())
      if (response.status !== 307 || hops === 5) return response
      redirects.push(path)
      path = response.headers.get('location')!
    }
  }
  return { auth, app, jar, browser, redirects, signIn: (kind: 'jwt' | 'session', user = newUserId()) => browser('POST', `/sign-in/${kind}?user=${user}`) }
}

async function bodyOf(response: Response): Promise<Record<string, unknown>> {
  return (await response.json()) as Record<string, unknown>
}

const rotations = async (auth: AuthServices<unknown>, user: string) => (await auth.tokenManager.listTokens({ authUserId: user })).length

export const cookieModeTests = suite<ConformanceContext>('cookie mode', (test) => {
  test('a JWT sign-in puts the refresh token in an HttpOnly, Secure, Strict __Host- cookie (Path=/); the body holds only the access token', async (ctx) => {
    const { signIn, browser, jar } = cookieApp(ctx)
    const response = await signIn('jwt')
    equal(response.status, 200)
    equal(response.headers.get('cache-control'), 'no-store')
    const set = CookieJar.lines(response)
    const refresh = set.find((c) => c.name === '__Host-refresh')!
    match(refresh.value, /^etmrt_[A-Za-z0-9_-]+$/, 'the refresh token')
    deepEqual([...refresh.attrs.keys()].sort(), ['expires', 'httponly', 'path', 'samesite', 'secure'])
    equal(refresh.attrs.get('path'), '/')
    equal(refresh.attrs.get('samesite'), 'Strict')
    const lifetime = Date.parse(String(refresh.attrs.get('expires'))) - Date.now()
    assert(Math.abs(lifetime - 14 * 86_400_000) <= 5_000, `expires with the 14-day refresh lifetime, got ${lifetime} ms`)
    // The other kind's cookie is cleared, so an earlier sign-in cannot outlive this one's sign-out.
    assert(set.some((c) => c.name === '__Host-session' && c.attrs.get('max-age') === '0' && c.attrs.get('path') === '/'))
    const body = await bodyOf(response)
    equal(body.refreshToken, null)
    equal(body.authStrategy, 'jwt')
    assert(!JSON.stringify(body).includes(refresh.value), 'the body never holds the refresh token')
    equal((await browser('GET', '/api/me', { Authorization: `Bearer ${body.token}` })).status, 200)
    // Path=/ sends it everywhere; only the refresh and sign-out routes read it.
    equal(jar.header('/api/me'), `__Host-refresh=${refresh.value}`)
    equal((await browser('GET', '/api/me')).status, 401, 'the refresh cookie authenticates nothing')
  })

  test('a session sign-in puts the session token in a __Host- cookie (Path=/, Lax) that authenticates; no token in the body', async (ctx) => {
    const { signIn, browser } = cookieApp(ctx)
    const user = newUserId()
    const response = await signIn('session', user)
    const session = CookieJar.lines(response).find((c) => c.name === '__Host-session')!
    match(session.value, /^etmst_/, 'the session token')
    equal(session.attrs.get('path'), '/')
    equal(session.attrs.get('samesite'), 'Lax')
    assert(session.attrs.has('httponly') && session.attrs.has('secure'), 'HttpOnly and Secure')
    assert(Math.abs(Date.parse(String(session.attrs.get('expires'))) - Date.now() - 3_600_000) <= 5_000, 'expires with the 1 h lifetime')
    const body = await bodyOf(response)
    equal(body.token, null)
    equal(body.refreshToken, null)
    equal(body.authUserId, user)
    deepEqual(await bodyOf(await browser('GET', '/api/me')), { user, via: 'session' })
  })

  test('refresh rotates the cookie and answers with a new access token; the spent value is dead after the grace window', async (ctx) => {
    const { signIn, browser, jar, auth } = cookieApp(ctx)
    const user = newUserId()
    const first = await bodyOf(await signIn('jwt', user))
    const spent = jar.get('__Host-refresh')!
    const refreshed = await browser('POST', '/auth/refresh')
    equal(refreshed.status, 200)
    const body = await bodyOf(refreshed)
    equal(body.refreshToken, null)
    assert(body.token !== first.token, 'a new access token')
    const next = jar.get('__Host-refresh')!
    assert(next !== spent && next.startsWith(spent.slice(0, 28)), 'the same family, a new rotating secret')
    equal((await browser('POST', '/auth/refresh')).status, 200, 'the successor refreshes in turn')
    equal(await rotations(auth, user), 1, 'one family')
  })

  test('a dead refresh cookie is cleared (400 invalid_grant); no cookie at all is 400 invalid_request', async (ctx) => {
    const { app, auth, signIn, browser, jar } = cookieApp(ctx)
    const user = newUserId()
    await signIn('jwt', user)
    await auth.tokenManager.revokeAllTokens({ authUserId: user })
    const dead = await browser('POST', '/auth/refresh')
    equal(dead.status, 400)
    deepEqual(await bodyOf(dead.clone()), { error: 'invalid_grant', code: 'ERR_REFRESH_TOKEN_NOT_FOUND' })
    assert(CookieJar.lines(dead).some((c) => c.name === '__Host-refresh' && c.attrs.get('max-age') === '0' && c.attrs.get('path') === '/'))
    equal(jar.get('__Host-refresh'), undefined)
    const none = await app.request('/auth/refresh', { method: 'POST' })
    equal(none.status, 400)
    equal((await bodyOf(none)).code, 'ERR_INVALID_REQUEST')
  })

  test('refresh with a session cookie reports its sign-in without a token; a dead one is cleared with 401', async (ctx) => {
    const { signIn, browser, jar, auth } = cookieApp(ctx)
    const user = newUserId()
    const issued = await bodyOf(await signIn('session', user))
    const response = await browser('POST', '/auth/refresh')
    deepEqual(await bodyOf(response), {
      authStrategy: 'session', token: null, tokenExpiresAt: null, refreshToken: null, authUserId: user, scopeNames: [], tokenId: issued.tokenId,
    })
    await auth.tokenManager.revokeAllTokens({ authUserId: user })
    const dead = await browser('POST', '/auth/refresh')
    equal(dead.status, 401)
    equal(jar.get('__Host-session'), undefined, 'cleared')
  })

  test('sign-out clears both cookies and revokes: by access token, by session cookie, or by the refresh cookie alone', async (ctx) => {
    const { signIn, browser, jar, auth } = cookieApp(ctx)
    for (const how of ['bearer', 'session cookie', 'refresh cookie', 'sign-out-all by refresh cookie'] as const) {
      const user = newUserId()
      const body = await bodyOf(await signIn(how === 'session cookie' ? 'session' : 'jwt', user))
      const path = how.startsWith('sign-out-all') ? '/auth/sign-out-all' : '/auth/sign-out'
      const response = await browser('POST', path, how === 'bearer' ? { Authorization: `Bearer ${body.token}` } : {})
      equal(response.status, 204, how)
      const cleared = CookieJar.lines(response).filter((c) => c.attrs.get('max-age') === '0').map((c) => `${c.name} ${c.attrs.get('path')}`)
      assert(cleared.includes('__Host-session /') && cleared.includes('__Host-refresh /'), `${how}: both cleared, got ${cleared}`)
      equal(jar.header('/auth/refresh'), '', how)
      equal(await rotations(auth, user), 0, `${how}: revoked`)
    }
    equal((await browser('POST', '/auth/sign-out')).status, 401, 'nothing at all: the caller must say who')
  })

  test('cookie-borne sign-in, refresh and sign-out from another site are refused (403) and change nothing; bearer callers are unaffected', async (ctx) => {
    const { signIn, browser, jar, app, auth } = cookieApp(ctx)
    const user = newUserId()
    const body = await bodyOf(await signIn('jwt', user))
    const cookie = jar.header('/auth/refresh')
    for (const [path, headers] of [
      ['/auth/refresh', { 'Sec-Fetch-Site': 'cross-site' }],
      ['/auth/refresh', { 'Sec-Fetch-Site': 'same-site' }],
      ['/auth/sign-out', { 'Sec-Fetch-Site': 'cross-site' }],
      ['/auth/sign-out-all', { Origin: 'https://evil.example' }],
    ] as const) {
      const response = await app.request(path, { method: 'POST', headers: { ...headers, Cookie: cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=b' })
      equal(response.status, 403, `${path} ${JSON.stringify(headers)}`)
      equal((await bodyOf(response)).code, 'ERR_CROSS_SITE_REQUEST')
      equal(response.headers.getSetCookie().length, 0, 'no cookie touched')
    }
    // Login CSRF: a sign-in another site started would put the attacker's sign-in in the victim's browser.
    const forced = await app.request(`/sign-in/jwt?user=${newUserId()}`, { method: 'POST', headers: { 'Sec-Fetch-Site': 'cross-site' } })
    equal(forced.status, 403, 'a cross-site sign-in')
    equal(forced.headers.getSetCookie().length, 0, 'sets no cookie')
    equal(jar.header('/auth/refresh'), cookie, 'nothing rotated')
    equal((await browser('POST', '/auth/refresh')).status, 200, 'the sign-in is intact')
    // A bearer client (CLI, mobile, PAT) on the same routes: tokens in the body, no cookies, no origin rule.
    const pat = await auth.tokenManager.issueToken({ authUserId: user, method: 'pat' })
    const bearer = await app.request('/auth/refresh', {
      method: 'POST', headers: { 'Sec-Fetch-Site': 'cross-site', 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: pat.refreshToken }),
    })
    equal(bearer.status, 200)
    match(String((await bodyOf(bearer.clone())).refreshToken), /^etmrt_/)
    equal(bearer.headers.getSetCookie().length, 0)
    equal((await browser('POST', '/auth/sign-out', { Authorization: `Bearer ${body.token}`, 'Sec-Fetch-Site': 'cross-site' })).status, 204, 'a header cannot ride along cross-site')
  })

  // A sibling subdomain (evil.example.test) sets a Domain=example.test cookie with a longer Path, so the
  // browser sends it first, next to the victim's own on app.example.test.
  const plantable: [string, TokenCookiesOptions][] = [
    ['__Secure-refresh on /auth', { refresh: '__Secure-refresh', refreshPath: '/auth' }],
    ['unprefixed names', { session: 'session', refresh: 'refresh', refreshPath: '/auth' }],
  ]
  for (const [label, options] of plantable) {
    test(`${label}: a planted copy (another user's valid token, or junk) is never used and never costs the victim the sign-in`, async (ctx) => {
      for (const kind of ['jwt', 'session'] as const) {
        for (const planted of ['another user', 'junk'] as const) {
          const how = `${kind} sign-in, ${planted}`
          const { auth, signIn, browser, jar, redirects } = cookieApp(ctx, options)
          const victim = newUserId()
          await signIn(kind, victim)
          const mallory = newUserId()
          const values = planted === 'junk' ? { session: 'junk', refresh: 'junk' } : {
            session: (await auth.getTokenManager(ServerSideSessionsTokenManager).issueToken({ authUserId: mallory, method: 'password' })).token,
            refresh: (await auth.getTokenManager(JwtTokenManager).issueToken({ authUserId: mallory, method: 'password' })).refreshToken!,
          }
          const names = { session: options.session ?? '__Host-session', refresh: options.refresh! }
          // Every name that can be planted (browsers refuse a __Host- cookie with a Domain).
          const targets = (['session', 'refresh'] as const).filter((k) => !names[k].startsWith('__Host-'))
          for (const k of targets) jar.plant(names[k], values[k], { domain: 'example.test', path: '/auth/refresh' })
          const before = redirects.length
          const refreshed = await browser('POST', '/auth/refresh')
          equal(refreshed.status, 200, how)
          const body = await bodyOf(refreshed)
          equal(body.authUserId, victim, `${how}: the victim's own sign-in`)
          equal(redirects.length - before, 1, `${how}: one round trip evicts the planted copies`)
          for (const k of targets) equal(jar.count(names[k]), (k === 'refresh') === (kind === 'jwt') ? 1 : 0, `${how}: only the victim's own ${k} cookie is left`)
          const me = await browser('GET', '/api/me', kind === 'jwt' ? { Authorization: `Bearer ${body.token}` } : {})
          deepEqual(await bodyOf(me), { user: victim, via: kind }, how)
          equal(await rotations(auth, mallory), planted === 'junk' ? 0 : 2, `${how}: the other user's sign-ins are untouched`)
        }
      }
    })
  }

  test('tokenCookies refuses names and paths browsers would drop', (ctx) => {
    void ctx
    for (const options of [{ refreshPath: '/auth' }, { refresh: '__Host-refresh', refreshPath: '/auth' }, { session: 'a b' }, { session: 'same', refresh: 'same' }, { refresh: '__Secure-refresh', refreshPath: 'auth' }] as TokenCookiesOptions[]) {
      let code: unknown
      try {
        tokenCookies(options)
      } catch (error) {
        code = (error as { code?: unknown }).code
      }
      equal(code, 'ERR_CONFIG', JSON.stringify(options))
    }
    deepEqual({ ...tokenCookies() }.refreshPath, '/')
    deepEqual({ ...tokenCookies({ refresh: '__Secure-refresh', refreshPath: '/auth/' }) }.refreshPath, '/auth')
  })
})
