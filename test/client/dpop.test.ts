// createAuthClient({ dpop: true }) against the real routes with JwtConfig({ dpop }) on PGlite: the sign-in
// made through client.fetch is bound to the client's key, every call and refresh carries a fresh proof,
// a nonce challenge costs one retry, and a stolen token or refresh token is useless without the key.
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAuthClient, memoryStorage, noLock } from '../../src/client/index.ts'
import { authenticate, authRoutes, guard } from '../../src/hono/index.ts'
import { dpopProofRequest } from '../../src/hono/dpop.ts'
import type { DpopSetting } from '../../src/index.ts'
import { createAuth, testClock } from '../support/auth.ts'
import { dpopKey, proofAt } from '../support/dpop.ts'
import { openDatabase, type OpenDatabase } from '../support/drivers.ts'

const clock = testClock()
let database: OpenDatabase
let users = 0
beforeAll(async () => void (database = await openDatabase('pglite')))
afterAll(() => database?.close())

function server(dpop: DpopSetting) {
  const { auth } = createAuth(database.db, 'jwt', { clock, jwt: { dpop, accessTokenLifetime: '1m' } })
  const app = new Hono()
  app.route('/auth', authRoutes(auth))
  app.post('/sign-in', async (c) => c.json(await guard(() => auth.tokenManager.issueToken({ authUserId: `c-${++users}`, method: 'test', dpop: dpopProofRequest(c) }))))
  app.get('/api/me', authenticate({ auth }), (c) => c.json({ user: c.var.auth.userIdentifier, jkt: c.var.auth.dpopJkt ?? null }))
  return app
}

function client(app: Hono, baseUrl = 'http://localhost') {
  const seen: { method: string; path: string; authorization: string | null; dpop: string | null; status: number }[] = []
  const authClient = createAuthClient({
    baseUrl, dpop: true, clock, storage: memoryStorage(), lock: noLock,
    fetch: async (request) => {
      const response = await app.fetch(request.clone())
      seen.push({ method: request.method, path: new URL(request.url).pathname, authorization: request.headers.get('authorization'), dpop: request.headers.get('dpop'), status: response.status })
      return response
    },
  })
  const signIn = async () => authClient.signIn(await (await authClient.fetch('/sign-in', { method: 'POST' })).json())
  return { authClient, seen, signIn }
}

describe('createAuthClient({ dpop: true })', () => {
  it('binds its sign-in, calls with Authorization: DPoP and a fresh proof each time, and refreshes with proofs', async () => {
    const { authClient, seen, signIn } = client(server('required'))
    await signIn()
    const jkt = authClient.authSuccess!.dpopJkt
    expect(jkt).toMatch(/^[\w-]{43}$/)
    for (let i = 0; i < 2; i++) {
      const me = await authClient.fetch('/api/me')
      expect(me.status).toBe(200)
      expect((await me.json()).jkt).toBe(jkt)
    }
    const calls = seen.filter((s) => s.path === '/api/me')
    expect(calls.every((s) => s.authorization?.startsWith('DPoP ') && s.dpop !== null)).toBe(true)
    expect(calls[0]!.dpop).not.toBe(calls[1]!.dpop)

    clock.advance(50_000) // inside refreshBefore: the next call refreshes first
    const token = authClient.authSuccess!.token
    expect((await authClient.fetch('/api/me')).status).toBe(200)
    expect(authClient.authSuccess!.token).not.toBe(token)
    expect(authClient.authSuccess!.dpopJkt).toBe(jkt)
    expect(seen.filter((s) => s.path === '/auth/refresh').map((s) => [s.status, s.dpop !== null])).toEqual([[200, true]])
    // Sign-out authenticates with the bound token and its proof too.
    expect(await authClient.signOut()).toBe(true)
    expect(seen.at(-1)).toMatchObject({ path: '/auth/sign-out', status: 204 })
  })

  it('a stolen sign-in is useless to another client: its own key matches neither token', async () => {
    const app = server('optional')
    const victim = client(app)
    await victim.signIn()
    const stolen = victim.authClient.authSuccess!
    const asBearer = await app.fetch(new Request('http://localhost/api/me', { headers: { Authorization: `Bearer ${stolen.token}` } }))
    expect(asBearer.status).toBe(401)
    const refresh = (headers: Record<string, string> = {}) => app.fetch(new Request('http://localhost/auth/refresh', {
      method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ refreshToken: stolen.refreshToken }),
    }))
    expect(await (await refresh()).json()).toEqual({ error: 'invalid_dpop_proof', code: 'ERR_DPOP_PROOF_MISSING' })
    // With a proof of its own key the thief's refresh is refused, and the victim's sign-in lives on.
    const viaThief = await refresh({ DPoP: await proofAt(await dpopKey(), clock, { method: 'POST', url: 'http://localhost/auth/refresh' }) })
    expect(await viaThief.json()).toEqual({ error: 'invalid_grant', code: 'ERR_DPOP_KEY_MISMATCH' })
    expect((await victim.authClient.fetch('/api/me')).status).toBe(200)
  })

  it('retries once with the nonce the server asks for, at sign-in and at the API', async () => {
    const { authClient, seen, signIn } = client(server({ binding: 'required', nonce: { secret: 'c'.repeat(32) } }))
    await signIn()
    expect(authClient.authSuccess?.dpopJkt).toBeDefined()
    expect(seen.map((s) => `${s.path} ${s.status}`)).toEqual(['/sign-in 400', '/sign-in 200'])
    expect((await authClient.fetch('/api/me')).status).toBe(200)
    expect(seen.map((s) => `${s.path} ${s.status}`).slice(2)).toEqual(['/api/me 200'])
  })

  it('refuses cookie mode', () => {
    expect(() => createAuthClient({ baseUrl: 'http://localhost', mode: 'cookie', dpop: true })).toThrow(/bearer mode/)
  })
})
