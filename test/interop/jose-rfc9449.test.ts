// What our client sends, checked by jose straight from RFC 9449: createAuthClient({ dpop: true }) in Node
// (in-memory key) against the real routes over HTTP on PGlite; every request it makes is recorded and its
// proof and access token read with jose only. (test/crypto/dpop.test.ts checks the other direction: proofs
// jose signs, accepted by our verifier.)
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { base64url, calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, EmbeddedJWK, jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAuthClient, memoryStorage, noLock } from '../../src/client/index.ts'
import { authenticate, authRoutes, guard } from '../../src/hono/index.ts'
import { dpopProofRequest } from '../../src/hono/dpop.ts'
import { createAuth, testClock } from '../support/auth.ts'
import { openDatabase, type OpenDatabase } from '../support/drivers.ts'

let database: OpenDatabase
let server: ReturnType<typeof serve>
let origin: string
const clock = testClock(Date.now())
beforeAll(async () => {
  database = await openDatabase('pglite')
  const { auth } = createAuth(database.db, 'jwt', { clock, jwt: { dpop: 'required', accessTokenLifetime: '1m' } })
  const app = new Hono()
  // The server's HTTP Date follows its (test) clock, as a real server's does: the client reads its clock offset from it.
  app.use(async (c, next) => {
    await next()
    c.header('Date', clock().toUTCString())
  })
  app.route('/auth', authRoutes(auth))
  app.post('/sign-in', async (c) => c.json(await guard(() => auth.tokenManager.issueToken({ authUserId: 'j-user', method: 'test', dpop: dpopProofRequest(c) }))))
  app.get('/api/me', authenticate({ auth }), (c) => c.json({ user: c.var.auth.userIdentifier }))
  server = serve({ port: 0, hostname: '127.0.0.1', fetch: app.fetch })
  await new Promise<void>((resolve) => server.once('listening', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  await database?.close()
})

interface Sent { method: string; url: string; authorization: string | null; dpop: string | null; status: number; body: unknown; at: number }

/** RFC 9449 §4.2 and §4.3, as jose reads them: the checks a server makes of `proof` for `method url`. */
async function checkProof({ dpop: proof, at }: Sent, method: string, url: string, accessToken?: string) {
  if (proof === null) throw new Error('no DPoP header')
  const header = decodeProtectedHeader(proof)
  expect(header.typ).toBe('dpop+jwt')
  expect(header.alg).toBe('ES256')
  expect(header.jwk).toBeDefined()
  expect(header.jwk).not.toHaveProperty('d')
  expect(Object.keys(header.jwk!).sort()).toEqual(['crv', 'kty', 'x', 'y'])
  // The signature verifies with the key the header carries (EmbeddedJWK: jose takes it from the header).
  const { payload } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'] })
  expect(payload.htm).toBe(method)
  expect(payload.htu).toBe(url)
  expect(typeof payload.iat).toBe('number')
  expect(Math.abs(payload.iat! * 1000 - at)).toBeLessThan(5_000)
  expect(payload.jti).toEqual(expect.any(String))
  expect((payload.jti as string).length).toBeGreaterThanOrEqual(16)
  if (accessToken === undefined) expect(payload).not.toHaveProperty('ath')
  else expect(payload.ath).toBe(base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(accessToken)))))
  return { jwk: header.jwk!, payload }
}

describe('createAuthClient({ dpop: true }), read by jose from RFC 9449', () => {
  it('signs proofs jose verifies (typ, alg, public jwk, htm, htu, iat, jti, ath) and its tokens are bound to that jwk (cnf.jkt)', async () => {
    const sent: Sent[] = []
    const client = createAuthClient({
      baseUrl: origin, dpop: true, clock, storage: memoryStorage(), lock: noLock,
      fetch: async (request) => {
        const response = await fetch(request.clone())
        sent.push({
          method: request.method, url: request.url, authorization: request.headers.get('authorization'), dpop: request.headers.get('dpop'),
          status: response.status, at: clock().getTime(), body: await response.clone().json().catch(() => null),
        })
        return response
      },
    })
    client.signIn(await (await client.fetch('/sign-in', { method: 'POST' })).json())
    expect((await client.fetch('/api/me')).status).toBe(200)
    clock.advance(50_000) // inside refreshBefore of the 1 min token: the next call refreshes first
    expect((await client.fetch('/api/me')).status).toBe(200)
    expect(sent.map((s) => `${s.method} ${new URL(s.url).pathname} ${s.status}`))
      .toEqual(['POST /sign-in 200', 'GET /api/me 200', 'POST /auth/refresh 200', 'GET /api/me 200'])

    const [signIn, firstCall, refresh, secondCall] = sent as [Sent, Sent, Sent, Sent]
    const { jwk } = await checkProof(signIn, 'POST', `${origin}/sign-in`)
    const signedIn = signIn.body as { token: string; refreshToken: string }
    const refreshed = refresh.body as { token: string }
    // RFC 9449 §6.1: the access token is bound to the proof's key by its RFC 7638 thumbprint.
    const jkt = await calculateJwkThumbprint(jwk)
    for (const token of [signedIn.token, refreshed.token]) expect(decodeJwt(token).cnf).toEqual({ jkt })
    expect(signedIn.token).not.toBe(refreshed.token)

    // At the resource: the DPoP scheme (§7.1) and ath over the token sent.
    expect(firstCall.authorization).toBe(`DPoP ${signedIn.token}`)
    await checkProof(firstCall, 'GET', `${origin}/api/me`, signedIn.token)
    expect(secondCall.authorization).toBe(`DPoP ${refreshed.token}`)
    await checkProof(secondCall, 'GET', `${origin}/api/me`, refreshed.token)
    // At refresh (§5): a proof of the same key, no ath (no access token is sent).
    expect(refresh.authorization).toBeNull()
    const atRefresh = await checkProof(refresh, 'POST', `${origin}/auth/refresh`)
    expect(await calculateJwkThumbprint(atRefresh.jwk)).toBe(jkt)

    // Every proof is fresh: no jti twice.
    const jtis = sent.map((s) => decodeJwt(s.dpop!).jti)
    expect(new Set(jtis).size).toBe(jtis.length)
  })
})
