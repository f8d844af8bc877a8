// POST /auth/refresh in the form of RFC 6749 §6 on PGlite: the §5.1 answer a standard OAuth client reads,
// the §5.2 errors, the body limit the JSON form has, and the JSON form left as it was beside it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAuth } from '../support/auth.ts'
import { openDatabase, type OpenDatabase } from '../support/drivers.ts'
import { bearer, buildApp, call, cookieName, leaks, type Exchange } from './support.ts'

let database: OpenDatabase
beforeAll(async () => {
  database = await openDatabase('pglite')
})
afterAll(async () => {
  await database?.close().catch(() => {})
})

const form = (fields: Record<string, string> | string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
  body: typeof fields === 'string' ? fields : new URLSearchParams(fields).toString(),
})
const json = (exchange: Exchange) => JSON.parse(exchange.body)

function setup() {
  const { auth, clock } = createAuth(database.db, 'multi')
  const app = buildApp(auth)
  const issue = (authUserId: string, scopes: string[] = []) => auth.tokenManager.issueToken({ authUserId, method: 'test', scopes })
  return { auth, clock, app, issue }
}

describe('POST /auth/refresh, RFC 6749 §6 form', () => {
  it('answers RFC 6749 §5.1: access_token, token_type Bearer, expires_in, refresh_token, scope; no-store', async () => {
    const { app, issue } = setup()
    const issued = await issue('o-form', ['read', 'write'])
    const res = await call(app, '/auth/refresh', form({ grant_type: 'refresh_token', refresh_token: issued.refreshToken!, client_id: 'cli' }))
    expect(res.status).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.headers['pragma']).toBe('no-cache')
    expect(res.headers['content-type']).toMatch(/^application\/json/)
    const body = json(res)
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type'])
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 600, scope: 'read write' })
    expect(body.refresh_token).toMatch(/^etmrt_/)
    expect(body.refresh_token).not.toBe(issued.refreshToken)
    expect((await call(app, '/api/me', bearer(body.access_token))).status).toBe(200)
    // The rotated token refreshes again, in either form.
    const again = await call(app, '/auth/refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: body.refresh_token }) })
    expect(json(again)).toMatchObject({ authStrategy: 'jwt', authUserId: 'o-form' })
  })

  it('leaves scope out when none was granted', async () => {
    const { app, issue } = setup()
    const issued = await issue('o-noscope')
    const body = json(await call(app, '/auth/refresh', form({ grant_type: 'refresh_token', refresh_token: issued.refreshToken! })))
    expect(body.scope).toBeUndefined()
    expect(body.token_type).toBe('Bearer')
  })

  it('answers a dead refresh token with 400 invalid_grant, and leaks nothing', async () => {
    const { app, issue, auth, clock } = setup()
    const issued = await issue('o-dead')
    const first = json(await call(app, '/auth/refresh', form({ grant_type: 'refresh_token', refresh_token: issued.refreshToken! })))
    clock.advance(11_000)
    const reused = await call(app, '/auth/refresh', form({ grant_type: 'refresh_token', refresh_token: issued.refreshToken! }))
    expect(reused.status).toBe(400)
    expect(json(reused)).toEqual({ error: 'invalid_grant', code: 'ERR_REFRESH_TOKEN_REUSED' })
    expect(reused.headers['cache-control']).toBe('no-store')
    expect(leaks(`${JSON.stringify(reused.headers)} ${reused.body}`, [issued.refreshToken!, first.refresh_token, first.access_token])).toEqual([])
    expect(json(await call(app, '/auth/refresh', form({ grant_type: 'refresh_token', refresh_token: 'etmrt_garbage' }))))
      .toEqual({ error: 'invalid_grant', code: 'ERR_REFRESH_TOKEN_MALFORMED' })
    expect(await auth.tokenManager.listTokens({ authUserId: 'o-dead' })).toEqual([])
  })

  it('answers unsupported_grant_type and invalid_request as RFC 6749 §5.2 says', async () => {
    const { app, issue } = setup()
    const issued = await issue('o-bad')
    const cases: [Record<string, string> | string, string, string][] = [
      [{ grant_type: 'authorization_code', code: 'x' }, 'unsupported_grant_type', 'ERR_UNSUPPORTED_GRANT_TYPE'],
      [{ grant_type: 'password', refresh_token: issued.refreshToken! }, 'unsupported_grant_type', 'ERR_UNSUPPORTED_GRANT_TYPE'],
      [{ refresh_token: issued.refreshToken! }, 'invalid_request', 'ERR_INVALID_REQUEST'],
      [{ grant_type: 'refresh_token' }, 'invalid_request', 'ERR_INVALID_REQUEST'],
      [{ grant_type: 'refresh_token', refresh_token: '' }, 'invalid_request', 'ERR_INVALID_REQUEST'],
      // RFC 6749 §3.2: no parameter more than once.
      [`grant_type=refresh_token&refresh_token=${issued.refreshToken}&refresh_token=${issued.refreshToken}`, 'invalid_request', 'ERR_INVALID_REQUEST'],
      [`grant_type=refresh_token&grant_type=refresh_token&refresh_token=${issued.refreshToken}`, 'invalid_request', 'ERR_INVALID_REQUEST'],
      ['', 'invalid_request', 'ERR_INVALID_REQUEST'],
    ]
    for (const [fields, error, code] of cases) {
      const res = await call(app, '/auth/refresh', form(fields))
      expect(res.status, JSON.stringify(fields)).toBe(400)
      expect(json(res), JSON.stringify(fields)).toEqual({ error, code })
    }
    // None of those spent the token.
    expect(json(await call(app, '/auth/refresh', form({ grant_type: 'refresh_token', refresh_token: issued.refreshToken! }))).token_type).toBe('Bearer')
  })

  it('refuses a form over the JSON form\'s 4 KiB limit before reading it', async () => {
    const { app } = setup()
    const res = await call(app, '/auth/refresh', form({ grant_type: 'refresh_token', refresh_token: `etmrt_${'A'.repeat(1 << 20)}` }))
    expect(res.status).toBe(400)
    expect(json(res)).toEqual({ error: 'invalid_request', code: 'ERR_BODY_TOO_LARGE' })
  })

  it('in cookie mode, a form without refresh_token is invalid_request: the refresh cookie stays unused', async () => {
    const { app, issue } = setup()
    const issued = await issue('o-cookie')
    const withCookie = { ...form({ grant_type: 'refresh_token' }), headers: { ...form({}).headers, Cookie: `__Host-refresh=${issued.refreshToken}` } }
    const res = await call(app, '/auth/refresh', withCookie)
    expect(res.status).toBe(400)
    expect(json(res)).toEqual({ error: 'invalid_request', code: 'ERR_INVALID_REQUEST' })
    expect(res.headers['set-cookie']).toBeUndefined()
    // Carrying cookies, another site's form is cookie-borne: refused like every cross-site cookie write.
    const crossSite = await call(app, '/auth/refresh', { ...withCookie, headers: { ...withCookie.headers, 'Sec-Fetch-Site': 'cross-site' } })
    expect(crossSite.status).toBe(403)
    expect(json(crossSite)).toEqual({ error: 'access_denied', code: 'ERR_CROSS_SITE_REQUEST' })
    // Without cookies a cross-site OAuth client refreshes as any bearer client does.
    const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: issued.refreshToken! }).toString()
    const oauthClient = await call(app, '/auth/refresh', { ...form(body), headers: { ...form({}).headers, 'Sec-Fetch-Site': 'cross-site' } })
    expect(oauthClient.status).toBe(200)
  })
})
