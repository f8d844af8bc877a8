// authenticate() and requireScopes() against the real managers on PGlite: every RFC 6750 status and
// challenge, bearer and cookie, optional mode, waitUntil, and per-isolate caching of keys built from env.
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  initializeAuthServices, JwtConfigFromPasswords, ServerSideSessionsConfigFromPasswords, ServerSideSessionsTokenManager,
} from '../../src/index.ts'
import { drizzleTokenStore } from '../../src/drizzle/index.ts'
import { authenticate, cachePerEnv, requireScopes } from '../../src/hono/index.ts'
import { createAuth, garbageTokens, secrets } from '../support/auth.ts'
import { openDatabase, type OpenDatabase } from '../support/drivers.ts'
import { bearer, buildApp, call, cookieName, type ExecutionContextLike } from './support.ts'

let database: OpenDatabase
beforeAll(async () => void (database = await openDatabase('pglite')))
afterAll(async () => database?.close())

function setup() {
  const { auth, clock } = createAuth(database.db, 'multi')
  return { auth, clock, app: buildApp(auth), sessions: auth.getTokenManager(ServerSideSessionsTokenManager) }
}

const realmOnly = 'Bearer realm="test \\"realm\\""'
const invalidToken = 'Bearer realm="test \\"realm\\"", error="invalid_token"'

describe('authenticate', () => {
  it('answers 401 with a bare challenge when no credentials are sent, or only another scheme', async () => {
    const { app } = setup()
    for (const init of [undefined, { headers: { Authorization: 'Basic dXNlcjpwYXNz' } }, { headers: { Authorization: '' } }]) {
      const res = await call(app, '/api/me', init)
      expect(res.status).toBe(401)
      expect(res.headers['www-authenticate']).toBe(realmOnly)
      expect(JSON.parse(res.body)).toEqual({ error: 'unauthorized', code: 'ERR_TOKEN_MISSING' })
    }
  })

  it('answers 400 invalid_request to a malformed Bearer header', async () => {
    const { app, auth } = setup()
    const { token } = await auth.tokenManager.issueToken({ authUserId: 'h-malformed', method: 'test' })
    for (const value of ['Bearer', 'Bearer ', 'Bearer a b', 'Bearer tok"en', `Bearer ${token}, Bearer ${token}`, 'Bearer =abc']) {
      const res = await call(app, '/api/me', { headers: { Authorization: value } })
      expect(res.status, value).toBe(400)
      expect(res.headers['www-authenticate']).toBe('Bearer realm="test \\"realm\\"", error="invalid_request"')
      expect(JSON.parse(res.body)).toEqual({ error: 'invalid_request', code: 'ERR_AUTHORIZATION_MALFORMED' })
    }
  })

  it('answers 401 invalid_token to anything that is not a live token', async () => {
    const { app } = setup()
    const wellFormed = garbageTokens.filter((t) => /^[A-Za-z0-9\-._~+/]+=*$/.test(t))
    expect(wellFormed.length).toBeGreaterThan(5)
    for (const token of wellFormed) {
      const res = await call(app, '/api/me', bearer(token))
      expect(res.status, token).toBe(401)
      expect(res.headers['www-authenticate']).toBe(invalidToken)
      expect(JSON.parse(res.body)).toEqual({ error: 'invalid_token', code: 'ERR_TOKEN_INVALID' })
    }
  })

  it('accepts a JWT (any case of "Bearer") until it expires', async () => {
    const { app, auth, clock } = setup()
    const issued = await auth.tokenManager.issueToken({ authUserId: 'h-jwt', method: 'test', scopes: ['read'] })
    const res = await call(app, '/api/me', { headers: { Authorization: `bearer  ${issued.token}` } })
    expect(res.status).toBe(200)
    expect(JSON.parse(res.body)).toMatchObject({
      userIdentifier: 'h-jwt', scopes: ['read'], authId: issued.tokenId, tokenIssuer: 'jwt', tokenLength: issued.token.length,
    })
    clock.set(new Date(issued.tokenExpiresAt!.getTime() + 60_000))
    const expired = await call(app, '/api/me', bearer(issued.token))
    expect(expired.status).toBe(401)
    expect(expired.headers['www-authenticate']).toBe(invalidToken)
  })

  it('accepts a session and rejects it on the very next request after revocation', async () => {
    const { app, auth, sessions } = setup()
    const issued = await sessions.issueToken({ authUserId: 'h-session', method: 'test' })
    expect((await call(app, '/api/me', bearer(issued.token))).status).toBe(200)
    await auth.tokenManager.revokeToken({ tokenId: issued.tokenId })
    const res = await call(app, '/api/me', bearer(issued.token))
    expect(res.status).toBe(401)
    expect(res.headers['www-authenticate']).toBe(invalidToken)
  })

  it('reads the cookie when there is no Bearer header; the header wins over the cookie', async () => {
    const { app, sessions } = setup()
    const issued = await sessions.issueToken({ authUserId: 'h-cookie', method: 'test' })
    const viaCookie = await call(app, '/api/me', { headers: { Cookie: `other=1; ${cookieName}=${issued.token}` } })
    expect(viaCookie.status).toBe(200)
    expect(JSON.parse(viaCookie.body)).toMatchObject({ userIdentifier: 'h-cookie', tokenIssuer: 'session' })

    const badCookie = await call(app, '/api/me', { headers: { Cookie: `${cookieName}=etmst_nope` } })
    expect(badCookie.status).toBe(401)
    expect(badCookie.headers['www-authenticate']).toBe(invalidToken)

    const headerWins = await call(app, '/api/me', { headers: { Cookie: `${cookieName}=etmst_nope`, Authorization: `Bearer ${issued.token}` } })
    expect(headerWins.status).toBe(200)
    // The cookie is only read where configured: /api/admin has no cookie option.
    expect((await call(app, '/api/admin', { headers: { Cookie: `${cookieName}=${issued.token}` } })).status).toBe(401)
  })

  it('optional mode lets anonymous requests through but still rejects bad credentials', async () => {
    const { app, auth } = setup()
    const anonymous = await call(app, '/api/public')
    expect(anonymous).toMatchObject({ status: 200, body: '{"user":null}' })
    const { token } = await auth.tokenManager.issueToken({ authUserId: 'h-optional', method: 'test' })
    expect(JSON.parse((await call(app, '/api/public', bearer(token))).body)).toEqual({ user: 'h-optional' })
    const bad = await call(app, '/api/public', bearer('not-a-token'))
    expect(bad.status).toBe(401)
    expect(bad.headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_token"')
  })

  it('passes waitUntil to the managers where the runtime has an execution context', async () => {
    const { app, sessions, clock } = setup()
    const issued = await sessions.issueToken({ authUserId: 'h-wait', method: 'test' })
    clock.advance(5 * 60_000) // lastUsedAt is due for its throttled write
    const pending: Promise<unknown>[] = []
    const executionCtx: ExecutionContextLike = { waitUntil: (p) => void pending.push(p), passThroughOnException: () => {}, props: {} }
    expect((await call(app, '/api/me', bearer(issued.token), {}, executionCtx)).status).toBe(200)
    expect(pending).toHaveLength(1)
    await Promise.all(pending)
    const [row] = await database.query('select last_used_at from auth_session where id = $1', [issued.tokenId])
    expect(new Date(row!.last_used_at as string)).toEqual(clock())
  })
})

describe('requireScopes', () => {
  it('answers 403 insufficient_scope naming the scopes, 200 when all are granted', async () => {
    const { app, auth } = setup()
    const partial = await auth.tokenManager.issueToken({ authUserId: 'h-scopes', method: 'test', scopes: ['admin'] })
    const res = await call(app, '/api/admin', bearer(partial.token))
    expect(res.status).toBe(403)
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api", error="insufficient_scope", scope="admin write"')
    expect(JSON.parse(res.body)).toEqual({ error: 'insufficient_scope', code: 'ERR_INSUFFICIENT_SCOPE', scope: 'admin write' })

    const full = await auth.tokenManager.issueToken({ authUserId: 'h-scopes', method: 'test', scopes: ['write', 'admin', 'extra'] })
    expect(await call(app, '/api/admin', bearer(full.token))).toMatchObject({ status: 200, body: '{"ok":"h-scopes"}' })
  })

  it('answers 401 to an anonymous request in optional mode', async () => {
    const { app } = setup()
    const res = await call(app, '/api/anonymous-admin')
    expect(res.status).toBe(401)
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api"')
  })

  it('refuses scope names that would break the challenge', () => {
    expect(() => requireScopes()).toThrow(expect.objectContaining({ code: 'ERR_CONFIG' }))
    for (const bad of ['two words', 'quo"te', 'back\\slash', '']) {
      expect(() => requireScopes(bad)).toThrow(expect.objectContaining({ code: 'ERR_CONFIG' }))
    }
  })
})

describe('cachePerEnv', () => {
  type Bindings = Record<'jwtHmacSha512PrivateKey' | 'jwtRefreshTokenHashPepper' | 'serverSideSessionKeyHashPepper', string>
  const env: Bindings = {
    jwtHmacSha512PrivateKey: secrets.hmac,
    jwtRefreshTokenHashPepper: secrets.refreshPepper,
    serverSideSessionKeyHashPepper: secrets.sessionPepper,
  }

  function appWith(factory: (bindings: Bindings) => ReturnType<typeof initializeAuthServices>) {
    return new Hono<{ Bindings: Bindings }>().get('/me', authenticate<{ Bindings: Bindings }>({ auth: (c) => factory(c.env) }), (c) => c.json(c.var.auth))
  }
  const build = (e: Bindings) =>
    initializeAuthServices({
      store: drizzleTokenStore(database.db),
      tokenManagerBuilders: [new JwtConfigFromPasswords(e), new ServerSideSessionsConfigFromPasswords(e)],
    })

  it('imports keys on the first request of an env only', async () => {
    const issuer = build(env)
    const jwt = await issuer.tokenManager.issueToken({ authUserId: 'h-cache', method: 'test' })
    const session = await issuer.getTokenManager(ServerSideSessionsTokenManager).issueToken({ authUserId: 'h-cache', method: 'test' })
    const importKey = vi.spyOn(crypto.subtle, 'importKey')
    try {
      const cached = appWith(cachePerEnv(build))
      expect((await call(cached, '/me', bearer(jwt.token), env)).status).toBe(200)
      const afterFirst = importKey.mock.calls.length
      expect(afterFirst).toBeGreaterThan(0)
      expect((await call(cached, '/me', bearer(session.token), env)).status).toBe(200)
      expect((await call(cached, '/me', bearer(jwt.token), env)).status).toBe(200)
      expect(importKey.mock.calls.length).toBe(afterFirst)
      // A different env object (a new isolate, or rotated secrets) builds afresh.
      expect((await call(cached, '/me', bearer(jwt.token), { ...env })).status).toBe(200)
      expect(importKey.mock.calls.length).toBeGreaterThan(afterFirst)

      // Control: building per request imports on every request.
      importKey.mockClear()
      const uncached = appWith(build)
      await call(uncached, '/me', bearer(jwt.token), env)
      const perRequest = importKey.mock.calls.length
      await call(uncached, '/me', bearer(jwt.token), env)
      expect(importKey.mock.calls.length).toBe(2 * perRequest)
    } finally {
      importKey.mockRestore()
    }
  })

  it('does not cache a factory that throws, and answers 500 with the missing key name only', async () => {
    const factory = vi.fn(build)
    const app = appWith(cachePerEnv(factory))
    const broken = { ...env, jwtHmacSha512PrivateKey: '' }
    for (let i = 0; i < 2; i++) {
      const res = await call(app, '/me', bearer('x.y.z'), broken)
      expect(res.status).toBe(500)
      expect(JSON.parse(res.body)).toEqual({ error: 'server_error', code: 'ERR_MISSING_PASSWORD' })
    }
    expect(factory).toHaveBeenCalledTimes(2)
  })
})
