// authRoutes() on PGlite: refresh rotation and its error mapping, sign-out (one / all), listing and
// ownership-checked revocation, JWKS, 503 when the database is gone — and, over every exchange of this
// file, that no error response, listing or console line carries a token, secret or pepper.
import { Hono } from 'hono'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JwtAlgorithm, ServerSideSessionsTokenManager, type AuthUsers } from '../../src/index.ts'
import { decodeBase64Url, encodeBase64Url } from '../../src/crypto/index.ts'
import { authRoutes } from '../../src/hono/index.ts'
import { createAuth } from '../support/auth.ts'
import { openDatabase, type OpenDatabase } from '../support/drivers.ts'
import { bearer, buildApp, call, captureConsole, cookieName, leaks, type Exchange } from './support.ts'

let database: OpenDatabase
let consoleCapture: ReturnType<typeof captureConsole>
beforeAll(async () => {
  database = await openDatabase('pglite')
  consoleCapture = captureConsole()
})
afterAll(async () => {
  consoleCapture?.restore()
  await database?.close().catch(() => {})
})

// Every exchange and every token of this file, for the leak check at the end.
const exchanges: { path: string; exchange: Exchange }[] = []
const tokens: string[] = []

const blockedUsers = new Set<string>()
const authUsers: AuthUsers = {
  get: async (id) => (id.startsWith('r-gone') ? null : { blocked: blockedUsers.has(id), scopes: [] }),
}

function setup() {
  const { auth, clock } = createAuth(database.db, 'multi', { authUsers })
  const app = buildApp(auth)
  const request = async (path: string, init?: RequestInit) => {
    const exchange = await call(app, path, init)
    exchanges.push({ path, exchange })
    return exchange
  }
  const issue = async (authUserId: string, kind: 'jwt' | 'session' = 'jwt') => {
    const manager = kind === 'jwt' ? auth.tokenManager : auth.getTokenManager(ServerSideSessionsTokenManager)
    const issued = await manager.issueToken({ authUserId, method: 'test' })
    tokens.push(issued.token, ...(issued.refreshToken ? [issued.refreshToken] : []))
    return issued
  }
  const refresh = (refreshToken: unknown) =>
    request('/auth/refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken }) })
  return { auth, clock, request, issue, refresh }
}

const json = (exchange: Exchange) => JSON.parse(exchange.body)

describe('POST /auth/refresh', () => {
  it('rotates the refresh token, idempotently within the grace window, with no-store', async () => {
    const { issue, refresh, request, clock } = setup()
    const issued = await issue('r-rotate')
    const first = await refresh(issued.refreshToken)
    expect(first.status).toBe(200)
    expect(first.headers['cache-control']).toBe('no-store')
    const next = json(first)
    tokens.push(next.token, next.refreshToken)
    expect(next).toMatchObject({ authStrategy: 'jwt', authUserId: 'r-rotate', tokenId: issued.tokenId, jwtRefreshTokenId: issued.tokenId })
    expect(next.refreshToken).not.toBe(issued.refreshToken)
    expect(next.tokenExpiresAt).toBe(new Date(Date.parse(next.tokenExpiresAt)).toISOString())
    expect((await request('/api/me', bearer(next.token))).status).toBe(200)

    // A lost response retried within the grace window gets the very same pair.
    expect(json(await refresh(issued.refreshToken)).refreshToken).toBe(next.refreshToken)
    // After it, the old token is a reuse: the family dies.
    clock.advance(11_000)
    expect(json(await refresh(issued.refreshToken))).toEqual({ error: 'invalid_grant', code: 'ERR_REFRESH_TOKEN_REUSED' })
    expect(json(await refresh(next.refreshToken))).toEqual({ error: 'invalid_grant', code: 'ERR_REFRESH_TOKEN_NOT_FOUND' })
  })

  it('answers 400 invalid_request to a malformed or huge body', async () => {
    const { request, refresh } = setup()
    const bodies = ['not json', '', '[]', 'null', '{}', '{"refreshToken":5}', '{"refreshToken":""}']
    for (const body of bodies) {
      const res = await request('/auth/refresh', { method: 'POST', body })
      expect(res.status, body).toBe(400)
      expect(json(res)).toEqual({ error: 'invalid_request', code: 'ERR_INVALID_REQUEST' })
    }
    expect(json(await refresh(null))).toEqual({ error: 'invalid_request', code: 'ERR_INVALID_REQUEST' })
    const huge = await refresh(`etmrt_${'A'.repeat(1 << 20)}`)
    expect(huge.status).toBe(400)
    expect(json(huge)).toEqual({ error: 'invalid_request', code: 'ERR_BODY_TOO_LARGE' })
  })

  it('maps the four refresh failures and refused users to 400 invalid_grant with their code', async () => {
    const { issue, refresh, auth, clock } = setup()
    const expectGrantError = async (refreshToken: string, code: string) => {
      const res = await refresh(refreshToken)
      expect(res.status, code).toBe(400)
      expect(json(res)).toEqual({ error: 'invalid_grant', code })
    }
    await expectGrantError('etmrt_garbage', 'ERR_REFRESH_TOKEN_MALFORMED')

    const revoked = await issue('r-errors')
    await auth.tokenManager.revokeToken({ tokenId: revoked.tokenId })
    await expectGrantError(revoked.refreshToken!, 'ERR_REFRESH_TOKEN_NOT_FOUND')

    const tampered = await issue('r-errors')
    const bytes = decodeBase64Url(tampered.refreshToken!.slice('etmrt_'.length))!
    bytes[20]! ^= 0xff // inside the fixed secret
    await expectGrantError(`etmrt_${encodeBase64Url(bytes)}`, 'ERR_REFRESH_TOKEN_INVALID_SECRET')

    const blocked = await issue('r-blocked')
    blockedUsers.add('r-blocked')
    await expectGrantError(blocked.refreshToken!, 'ERR_AUTH_USER_BLOCKED')

    const old = await issue('r-errors')
    clock.advance(15 * 86_400_000)
    await expectGrantError(old.refreshToken!, 'ERR_REFRESH_TOKEN_EXPIRED')
  })

  it('answers ERR_AUTH_USER_NOT_FOUND for a user that no longer exists', async () => {
    const { refresh, auth } = setup()
    // Issued while the user existed (no authUsers), refreshed after it is gone.
    const { auth: unchecked } = createAuth(database.db, 'jwt')
    const issued = await unchecked.tokenManager.issueToken({ authUserId: 'r-gone-user', method: 'test' })
    tokens.push(issued.token, issued.refreshToken!)
    expect(json(await refresh(issued.refreshToken))).toEqual({ error: 'invalid_grant', code: 'ERR_AUTH_USER_NOT_FOUND' })
    expect(await auth.tokenManager.listTokens({ authUserId: 'r-gone-user' })).toHaveLength(1) // kept, as for blocked
  })
})

describe('sign-out and token management', () => {
  it('POST /sign-out revokes only the presented token and clears the cookie', async () => {
    const { issue, request, refresh, auth } = setup()
    const jwt = await issue('r-signout')
    const session = await issue('r-signout', 'session')
    const res = await request('/auth/sign-out', { method: 'POST', ...bearer(jwt.token) })
    expect(res.status).toBe(204)
    expect(res.headers['set-cookie']).toMatch(new RegExp(`^${cookieName}=; Max-Age=0; Path=/`, 'm'))
    expect(json(await refresh(jwt.refreshToken))).toMatchObject({ code: 'ERR_REFRESH_TOKEN_NOT_FOUND' })
    expect((await auth.tokenManager.listTokens({ authUserId: 'r-signout' })).map((t) => t.tokenId)).toEqual([session.tokenId])

    expect((await request('/auth/sign-out', { method: 'POST', headers: { Cookie: `${cookieName}=${session.token}` } })).status).toBe(204)
    expect((await request('/api/me', bearer(session.token))).status).toBe(401)
    expect((await request('/auth/sign-out', { method: 'POST' })).status).toBe(401)
  })

  it('POST /sign-out-all revokes every token of the caller and nobody else', async () => {
    const { issue, request, auth } = setup()
    const jwt = await issue('r-all')
    await issue('r-all', 'session')
    const other = await issue('r-all-other', 'session')
    expect((await request('/auth/sign-out-all', { method: 'POST', ...bearer(jwt.token) })).status).toBe(204)
    expect(await auth.tokenManager.listTokens({ authUserId: 'r-all' })).toEqual([])
    expect((await request('/api/me', bearer(other.token))).status).toBe(200)
  })

  it('GET /tokens lists the caller\'s tokens with ISO dates', async () => {
    const { issue, request } = setup()
    const jwt = await issue('r-list')
    const session = await issue('r-list', 'session')
    await issue('r-list-other')
    const res = await request('/auth/tokens', bearer(session.token))
    expect(res.status).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    const listed = json(res)
    expect(listed.map((t: { tokenId: string }) => t.tokenId)).toEqual([jwt.tokenId, session.tokenId])
    expect(listed[0]).toEqual({
      authUserId: 'r-list', tokenId: jwt.tokenId, tokenIssuer: 'jwt', scopes: [], method: 'test',
      createdAt: '2026-06-01T12:00:00.000Z', lastUsedAt: '2026-06-01T12:00:00.000Z', expiresAt: '2026-06-15T12:00:00.000Z',
    })
    expect((await request('/auth/tokens')).status).toBe(401)
  })

  it('DELETE /tokens/:tokenId revokes the caller\'s own token and answers 404 for anyone else\'s', async () => {
    const { issue, request, auth } = setup()
    const mine = await issue('r-delete', 'session')
    const myJwt = await issue('r-delete')
    const theirs = await issue('r-delete-victim', 'session')
    for (const id of [theirs.tokenId, theirs.tokenId.toUpperCase(), crypto.randomUUID(), 'not-a-uuid']) {
      const res = await request(`/auth/tokens/${id}`, { method: 'DELETE', ...bearer(mine.token) })
      expect(res.status, id).toBe(404)
      expect(json(res)).toEqual({ error: 'not_found', code: 'ERR_TOKEN_NOT_FOUND' })
    }
    expect((await request('/api/me', bearer(theirs.token))).status).toBe(200)

    // A UUID in upper case names the same token (Postgres reads it so): it revokes, never silently skips.
    expect((await request(`/auth/tokens/${myJwt.tokenId.toUpperCase()}`, { method: 'DELETE', ...bearer(mine.token) })).status).toBe(204)
    expect((await auth.tokenManager.listTokens({ authUserId: 'r-delete' })).map((t) => t.tokenId)).toEqual([mine.tokenId])
    expect((await request(`/auth/tokens/${mine.tokenId}`, { method: 'DELETE', ...bearer(mine.token) })).status).toBe(204)
    expect((await request('/api/me', bearer(mine.token))).status).toBe(401)
  })
})

describe('GET /auth/.well-known/jwks.json', () => {
  it('is 404 with HS512 only', async () => {
    const { request } = setup()
    expect(json(await request('/auth/.well-known/jwks.json'))).toEqual({ error: 'not_found', code: 'ERR_NO_PUBLIC_KEYS' })
  })

  it('serves the ES512 public keys (primary and fallback) so any JOSE library verifies access tokens', async () => {
    const generate = () => crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-521' }, true, ['sign', 'verify']) as Promise<CryptoKeyPair>
    const [current, previous] = await Promise.all([generate(), generate()])
    const { auth } = createAuth(database.db, 'jwt', {
      jwt: {
        algorithm: JwtAlgorithm.ecdsaSha512(current),
        fallbackVerificationAlgorithms: [JwtAlgorithm.ecdsaSha512({ publicKey: previous.publicKey })],
      },
    })
    const app = new Hono().route('/auth', authRoutes(auth))
    const res = await call(app, '/auth/.well-known/jwks.json')
    expect(res.status).toBe(200)
    const jwks = json(res)
    expect(jwks.keys).toHaveLength(2)
    expect(jwks.keys.every((k: JsonWebKey) => k.d === undefined && k.crv === 'P-521')).toBe(true)
    const issued = await auth.tokenManager.issueToken({ authUserId: 'r-jwks', method: 'test' })
    tokens.push(issued.token, issued.refreshToken!)
    const { payload } = await jwtVerify(issued.token, createLocalJWKSet(jwks), { currentDate: new Date('2026-06-01T12:00:00Z') })
    expect(payload.sub).toBe('r-jwks')
  })
})

// Runs last: closes the shared database.
describe('when the database is down', () => {
  it('answers 503 with Retry-After, never 401', async () => {
    const { issue, request, refresh } = setup()
    const jwt = await issue('r-down')
    const session = await issue('r-down', 'session')
    await database.close()
    const attempts = [
      await request('/api/me', bearer(session.token)),
      await refresh(jwt.refreshToken),
      await request('/auth/tokens', bearer(jwt.token)), // the JWT validates without the database; the listing fails
      await request('/auth/sign-out', { method: 'POST', ...bearer(jwt.token) }),
    ]
    for (const res of attempts) {
      expect(res.status).toBe(503)
      expect(res.headers['retry-after']).toBe('2') // several retries fit in the 10 s grace window
      expect(json(res)).toEqual({ error: 'temporarily_unavailable', code: 'ERR_STORAGE_UNAVAILABLE' })
    }
  })
})

describe('hygiene', () => {
  it('no error response, listing or console line of this file contains a token, secret or pepper', () => {
    expect(tokens.length).toBeGreaterThan(20)
    expect(exchanges.length).toBeGreaterThan(30)
    // Only a successful refresh hands out tokens, by design: it also proves the detector detects.
    const handsOutTokens = ({ path, exchange }: (typeof exchanges)[number]) => path === '/auth/refresh' && exchange.status === 200
    expect(leaks(exchanges.find(handsOutTokens)!.exchange.body, tokens)).not.toEqual([])
    const checked = exchanges.filter((e) => !handsOutTokens(e))
    for (const { path, exchange } of checked) {
      expect(leaks(`${JSON.stringify(exchange.headers)} ${exchange.body}`, tokens), path).toEqual([])
    }
    expect(leaks(consoleCapture.lines.join('\n'), tokens)).toEqual([])
  })
})
