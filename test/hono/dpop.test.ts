// DPoP over HTTP on PGlite (RFC 9449 §5, §7, §8): `Authorization: DPoP` with its proof at a resource,
// the DPoP challenge, 401 invalid_dpop_proof / use_dpop_nonce with DPoP-Nonce, bound tokens refused as
// Bearer, and the refresh route (JSON and RFC 6749 form) binding and checking keys.
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JwtTokenManager, ServerSideSessionsTokenManager, type DpopSetting } from '../../src/index.ts'
import { authenticate, authRoutes, guard } from '../../src/hono/index.ts'
import { dpopProofRequest } from '../../src/hono/dpop.ts'
import type { DpopKey } from '../../src/crypto/index.ts'
import { createAuth } from '../support/auth.ts'
import { openDatabase, type OpenDatabase } from '../support/drivers.ts'
import { dpopKey, proofAt } from '../support/dpop.ts'
import { call, leaks, type Exchange } from './support.ts'

let database: OpenDatabase
beforeAll(async () => void (database = await openDatabase('pglite')))
afterAll(async () => database?.close())

const origin = 'http://localhost'
const json = (exchange: Exchange) => JSON.parse(exchange.body)

function setup(dpop: DpopSetting = 'optional') {
  const { auth, clock } = createAuth(database.db, 'multi', { jwt: { dpop } })
  const app = new Hono()
  app.route('/auth', authRoutes(auth))
  app.post('/sign-in', async (c) => c.json(await guard(() => auth.tokenManager.issueToken({ authUserId: 'p-user', method: 'test', dpop: dpopProofRequest(c) }))))
  app.get('/api/me', authenticate({ auth }), (c) => c.json({ user: c.var.auth.userIdentifier, jkt: c.var.auth.dpopJkt ?? null }))
  const proof = (key: DpopKey, method: string, path: string, extra: { accessToken?: string; nonce?: string } = {}) =>
    proofAt(key, clock, { method, url: `${origin}${path}`, ...extra })
  const signIn = async (key: DpopKey) => json(await call(app, '/sign-in', { method: 'POST', headers: { DPoP: await proof(key, 'POST', '/sign-in') } }))
  const me = async (token: string, key: DpopKey | null, scheme = 'DPoP', extra: { nonce?: string; proof?: string } = {}) =>
    call(app, '/api/me', {
      headers: {
        Authorization: `${scheme} ${token}`,
        ...(key && { DPoP: extra.proof ?? (await proof(key, 'GET', '/api/me', { accessToken: token, ...(extra.nonce && { nonce: extra.nonce }) })) }),
      },
    })
  return { auth, clock, app, proof, signIn, me }
}

const algs = 'ES256 ES384 ES512 EdDSA'

describe('authenticate with DPoP', () => {
  it('accepts a bound token with a fresh proof, and refuses a replay, a proof of another key and Bearer use', async () => {
    const { signIn, me } = setup()
    const key = await dpopKey()
    const issued = await signIn(key)
    expect(issued.dpopJkt).toMatch(/^[\w-]{43}$/)
    const ok = await me(issued.token, key)
    expect(ok.status).toBe(200)
    expect(json(ok)).toEqual({ user: 'p-user', jkt: issued.dpopJkt })

    const once = await setup().proof(key, 'GET', '/api/me', { accessToken: issued.token })
    expect((await me(issued.token, key, 'DPoP', { proof: once })).status).toBe(200)
    const replayed = await me(issued.token, key, 'DPoP', { proof: once })
    expect(replayed.status).toBe(401)
    expect(json(replayed)).toEqual({ error: 'invalid_dpop_proof', code: 'ERR_DPOP_PROOF_REPLAYED' })
    expect(replayed.headers['www-authenticate']).toBe(`DPoP realm="api", algs="${algs}", error="invalid_dpop_proof"`)

    const otherKey = await me(issued.token, await dpopKey())
    expect(otherKey.status).toBe(401)
    expect(json(otherKey)).toMatchObject({ error: 'invalid_token' })
    expect(otherKey.headers['www-authenticate']).toContain(`DPoP realm="api", algs="${algs}", error="invalid_token"`)

    // RFC 9449 §7.2: a bound token sent as a bearer token is refused.
    const asBearer = await me(issued.token, null, 'Bearer')
    expect(asBearer.status).toBe(401)
    expect(asBearer.headers['www-authenticate']).toBe(`Bearer realm="api", error="invalid_token", DPoP realm="api", algs="${algs}"`)
    expect(leaks(`${JSON.stringify([replayed, otherKey, asBearer])}`, [issued.token, issued.refreshToken])).toEqual([])
  })

  it('refuses DPoP without a proof, with a proof for another URL, method or token, and an unbound token sent as DPoP', async () => {
    const { signIn, me, proof, auth } = setup()
    const key = await dpopKey()
    const issued = await signIn(key)
    const cases: [string | undefined, string][] = [
      [undefined, 'ERR_DPOP_PROOF_MISSING'],
      [await proof(key, 'GET', '/api/other', { accessToken: issued.token }), 'ERR_DPOP_PROOF_INVALID'],
      [await proof(key, 'POST', '/api/me', { accessToken: issued.token }), 'ERR_DPOP_PROOF_INVALID'],
      [await proof(key, 'GET', '/api/me', { accessToken: 'another' }), 'ERR_DPOP_PROOF_INVALID'],
      [await proof(key, 'GET', '/api/me'), 'ERR_DPOP_PROOF_INVALID'],
    ]
    for (const [dpop, code] of cases) {
      const res = await call(setup().app, '/api/me', { headers: { Authorization: `DPoP ${issued.token}`, ...(dpop && { DPoP: dpop }) } })
      expect(res.status, code).toBe(401)
      expect(json(res), code).toEqual({ error: 'invalid_dpop_proof', code })
    }
    const unbound = await auth.tokenManager.issueToken({ authUserId: 'p-plain', method: 'test' })
    const res = await me(unbound.token, key)
    expect(res.status).toBe(401)
    expect(json(res)).toEqual({ error: 'invalid_token', code: 'ERR_TOKEN_INVALID' })
    expect((await me(unbound.token, null, 'Bearer')).status).toBe(200)
  })

  it('announces DPoP beside Bearer to a request without credentials', async () => {
    const { app } = setup()
    const res = await call(app, '/api/me')
    expect(res.status).toBe(401)
    expect(res.headers['www-authenticate']).toBe(`Bearer realm="api", DPoP realm="api", algs="${algs}"`)
  })

  it('with server nonces: 401 use_dpop_nonce with DPoP-Nonce, then the retry with that nonce passes', async () => {
    const { me, app, proof } = setup({ binding: 'optional', nonce: { secret: 'p'.repeat(32) } })
    const key = await dpopKey()
    // Sign-in (the app's route, errors mapped by guard) asks for the nonce first, as the token endpoint.
    const refused = await call(app, '/sign-in', { method: 'POST', headers: { DPoP: await proof(key, 'POST', '/sign-in') } })
    expect(refused.status).toBe(400)
    expect(json(refused)).toEqual({ error: 'use_dpop_nonce', code: 'ERR_DPOP_NONCE_REQUIRED' })
    const nonce = refused.headers['dpop-nonce']!
    expect(nonce).toMatch(/^[\w-]{30,}$/)
    const signedIn = await call(app, '/sign-in', { method: 'POST', headers: { DPoP: await proof(key, 'POST', '/sign-in', { nonce }) } })
    const issued = json(signedIn)
    const atResource = await me(issued.token, key)
    expect(atResource.status).toBe(401)
    expect(json(atResource)).toEqual({ error: 'use_dpop_nonce', code: 'ERR_DPOP_NONCE_REQUIRED' })
    expect(atResource.headers['www-authenticate']).toBe(`DPoP realm="api", algs="${algs}", error="use_dpop_nonce"`)
    expect(atResource.headers['dpop-nonce']).toBe(nonce)
    expect((await me(issued.token, key, 'DPoP', { nonce })).status).toBe(200)
  })
})

describe('POST /auth/refresh with DPoP', () => {
  it('rotates a bound refresh token only with a proof of its key, in JSON and in the RFC 6749 form (token_type DPoP)', async () => {
    const { signIn, app, proof, auth } = setup()
    const key = await dpopKey()
    const issued = await signIn(key)
    const refreshJson = async (signer: DpopKey | null, refreshToken: string) => call(app, '/auth/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(signer && { DPoP: await proof(signer, 'POST', '/auth/refresh') }) },
      body: JSON.stringify({ refreshToken }),
    })
    const missing = await refreshJson(null, issued.refreshToken)
    expect([missing.status, json(missing)]).toEqual([400, { error: 'invalid_dpop_proof', code: 'ERR_DPOP_PROOF_MISSING' }])
    const mismatch = await refreshJson(await dpopKey(), issued.refreshToken)
    expect([mismatch.status, json(mismatch)]).toEqual([400, { error: 'invalid_grant', code: 'ERR_DPOP_KEY_MISMATCH' }])
    const rotated = await refreshJson(key, issued.refreshToken)
    expect(rotated.status).toBe(200)
    expect(json(rotated).dpopJkt).toBe(issued.dpopJkt)

    const form = await call(app, '/auth/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', DPoP: await proof(key, 'POST', '/auth/refresh') },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: json(rotated).refreshToken }).toString(),
    })
    expect(form.status).toBe(200)
    expect(json(form).token_type).toBe('DPoP')
    // The family survived the refused attempts.
    expect(await auth.getTokenManager(JwtTokenManager).listTokens({ authUserId: 'p-user' })).not.toEqual([])
  })
})

describe('behind a proxy (requestUrl)', () => {
  it('checks proofs against the public URL the app names, at the resource and at refresh', async () => {
    const { auth, clock } = createAuth(database.db, 'jwt', { jwt: { dpop: 'optional' } })
    const publicUrl = (c: { req: { url: string } }) => `https://api.example${new URL(c.req.url).pathname}`
    const app = new Hono()
    app.route('/auth', authRoutes(auth, { requestUrl: publicUrl }))
    app.get('/api/me', authenticate({ auth, requestUrl: publicUrl }), (c) => c.json({ user: c.var.auth.userIdentifier }))
    const key = await dpopKey()
    const signed = (method: string, url: string, accessToken?: string) => proofAt(key, clock, { method, url, ...(accessToken && { accessToken }) })
    const issued = await auth.tokenManager.issueToken({
      authUserId: 'p-proxy', method: 'test', dpop: { proof: await signed('POST', 'https://api.example/sign-in'), method: 'POST', url: 'https://api.example/sign-in' },
    })
    const me = async (url: string) => call(app, '/api/me', { headers: { Authorization: `DPoP ${issued.token}`, DPoP: await signed('GET', url, issued.token) } })
    expect((await me('https://api.example/api/me')).status).toBe(200)
    expect(json(await me(`${origin}/api/me`))).toEqual({ error: 'invalid_dpop_proof', code: 'ERR_DPOP_PROOF_INVALID' })
    const refreshed = await call(app, '/auth/refresh', {
      method: 'POST', headers: { 'content-type': 'application/json', DPoP: await signed('POST', 'https://api.example/auth/refresh') }, body: JSON.stringify({ refreshToken: issued.refreshToken }),
    })
    expect(refreshed.status).toBe(200)
  })
})

describe('DPoP-bound sessions over HTTP', () => {
  it('a bound session authenticates with Authorization: DPoP and its proof, never as Bearer', async () => {
    const { auth, clock } = createAuth(database.db, 'multi', { jwt: { dpop: 'optional' }, session: { dpop: 'optional' } })
    const app = new Hono().get('/api/me', authenticate({ auth }), (c) => c.json({ user: c.var.auth.userIdentifier }))
    const key = await dpopKey()
    const sessions = auth.getTokenManager(ServerSideSessionsTokenManager)
    const issued = await sessions.issueToken({ authUserId: 'p-session', method: 'test', dpop: { proof: await proofAt(key, clock, { method: 'POST', url: `${origin}/sign-in` }), method: 'POST', url: `${origin}/sign-in` } })
    const withProof = await call(app, '/api/me', { headers: { Authorization: `DPoP ${issued.token}`, DPoP: await proofAt(key, clock, { method: 'GET', url: `${origin}/api/me`, accessToken: issued.token }) } })
    expect([withProof.status, json(withProof)]).toEqual([200, { user: 'p-session' }])
    expect((await call(app, '/api/me', { headers: { Authorization: `Bearer ${issued.token}` } })).status).toBe(401)
  })
})
