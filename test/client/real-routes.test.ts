// The client against the real routes: `authRoutes` + `authenticate` over the real managers and store
// (PGlite), sharing the test's clock, so token expiry is exact and nothing sleeps.
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAuthClient, memoryStorage, noLock, type AuthStorage, type AuthSuccessJson, type SignOutReason } from '../../src/client/index.ts'
import { authenticate, authRoutes } from '../../src/hono/index.ts'
import { JwtTokenManager, ServerSideSessionsTokenManager, type AuthServices, type TokenManager } from '../../src/index.ts'
import { createAuth, testClock } from '../support/auth.ts'
import { openDatabase, type OpenDatabase } from '../support/drivers.ts'
import { sharedArea } from './tabs.ts'

const SECOND = 1_000
const clock = testClock()
let database: OpenDatabase
let auth: AuthServices
let app: Hono
let userCounter = 0

beforeAll(async () => {
  database = await openDatabase('pglite')
  auth = createAuth(database.db, 'multi', { clock, jwt: { accessTokenLifetime: '1m' } }).auth
  app = new Hono()
  app.route('/auth', authRoutes(auth))
  app.get('/api/me', authenticate({ auth }), (c) => c.json({ user: c.var.auth.userIdentifier, authId: c.var.auth.authId }))
})
afterAll(() => database?.close())

/**
 * A signed-in client of a fresh user; `exchanges` records every request the client made and its status,
 * `leftAtRefresh` what each refreshed token had left on the server's clock. `skewMs`: the device's clock
 * minus the server's. `dateHeader`: answers carry `Date`, as a Node or Workers server adds (Hono's
 * `app.fetch` alone does not).
 */
async function signedInClient(options: { strategy?: 'jwt' | 'session'; storage?: AuthStorage; authSuccess?: AuthSuccessJson; skewMs?: number; dateHeader?: boolean } = {}) {
  const authUserId = `user-${++userCounter}`
  const manager = options.strategy === 'session' ? auth.getTokenManager(ServerSideSessionsTokenManager) : auth.tokenManager
  const authSuccess = options.authSuccess ?? (await issue(manager, authUserId))
  const exchanges: string[] = []
  const signedOut: SignOutReason[] = []
  const signOutCodes: (string | undefined)[] = []
  const leftAtRefresh: number[] = []
  const client = createAuthClient({
    baseUrl: 'http://localhost',
    clock: () => new Date(clock().getTime() + (options.skewMs ?? 0)),
    storage: options.storage ?? memoryStorage(),
    lock: noLock,
    onSignedOut: ({ reason, code }) => void (signedOut.push(reason), signOutCodes.push(code)),
    fetch: async (request) => {
      if (request.url.endsWith('/auth/refresh')) leftAtRefresh.push(Date.parse(client.authSuccess!.tokenExpiresAt!) - clock().getTime())
      const response = await app.fetch(request)
      if (options.dateHeader) response.headers.set('date', clock().toUTCString())
      exchanges.push(`${request.method} ${new URL(request.url).pathname} ${response.status}`)
      return response
    },
  })
  client.signIn(authSuccess)
  return { client, exchanges, signedOut, signOutCodes, leftAtRefresh, authUserId, authSuccess, refreshes: () => exchanges.filter((e) => e.startsWith('POST /auth/refresh')) }
}

async function issue(manager: TokenManager, authUserId: string): Promise<AuthSuccessJson> {
  return JSON.parse(JSON.stringify(await manager.issueToken({ authUserId, method: 'test' })))
}

describe('client + real routes', () => {
  it('keeps working across several access-token expiries, one rotation each, same token family', async () => {
    const { client, refreshes, authSuccess } = await signedInClient()
    for (let minute = 0; minute < 4; minute++) {
      expect((await client.fetch('/api/me')).status).toBe(200)
      clock.advance(45 * SECOND) // inside the 30 s window of a 1-minute token
    }
    expect(refreshes()).toEqual(Array(3).fill('POST /auth/refresh 200'))
    expect(client.authSuccess?.tokenId).toBe(authSuccess.tokenId)
    expect(client.authSuccess?.refreshToken).not.toBe(authSuccess.refreshToken)
  })

  it('10 concurrent calls in the window → exactly one refresh request', async () => {
    const { client, refreshes } = await signedInClient()
    clock.advance(40 * SECOND)
    const statuses = await Promise.all(Array.from({ length: 10 }, () => client.fetch('/api/me').then((r) => r.status)))
    expect(statuses).toEqual(Array(10).fill(200))
    expect(refreshes()).toEqual(['POST /auth/refresh 200'])
  })

  it('a rejected access token gets one refresh and one retry', async () => {
    const authSuccess = await issue(auth.tokenManager, `user-${++userCounter}`)
    const { client, exchanges } = await signedInClient({ authSuccess: { ...authSuccess, token: `${authSuccess.token}x` } })
    expect((await client.fetch('/api/me')).status).toBe(200)
    expect(exchanges).toEqual(['GET /api/me 401', 'POST /auth/refresh 200', 'GET /api/me 200'])
  })

  it('a revoked refresh token signs out once: 400 invalid_grant, storage cleared', async () => {
    const { client, authUserId, signedOut, refreshes } = await signedInClient()
    await auth.tokenManager.revokeAllTokens({ authUserId })
    clock.advance(59 * SECOND)
    await Promise.all([client.fetch('/api/me'), client.fetch('/api/me'), client.fetch('/api/me')])
    expect(refreshes()).toEqual(['POST /auth/refresh 400'])
    expect(signedOut).toEqual(['rejected'])
    expect(client.authSuccess).toBeNull()
  })

  it('a refresh token someone else already rotated signs out with ERR_REFRESH_TOKEN_REUSED, and the thief is out too', async () => {
    const { client, authSuccess, signedOut, signOutCodes } = await signedInClient()
    const thief = await auth.getTokenManager(JwtTokenManager).refreshAccessToken(authSuccess.refreshToken!)
    clock.advance(50 * SECOND) // past the grace window, and close enough to expiry that the client refreshes
    expect((await client.fetch('/api/me')).status).toBe(401)
    expect(signedOut).toEqual(['rejected'])
    expect(signOutCodes).toEqual(['ERR_REFRESH_TOKEN_REUSED'])
    await expect(auth.getTokenManager(JwtTokenManager).refreshAccessToken(thief.refreshToken!)).rejects.toMatchObject({ code: 'ERR_REFRESH_TOKEN_NOT_FOUND' })
  })

  it('a revoked session signs out on its 401 invalid_token, with no refresh', async () => {
    const { client, authUserId, signedOut, exchanges } = await signedInClient({ strategy: 'session' })
    expect((await client.fetch('/api/me')).status).toBe(200)
    await auth.tokenManager.revokeAllTokens({ authUserId })
    expect((await client.fetch('/api/me')).status).toBe(401)
    expect(exchanges).toEqual(['GET /api/me 200', 'GET /api/me 401'])
    expect(signedOut).toEqual(['rejected'])
  })

  it('two tabs refreshing at once without a lock: the grace window gives both the same token, nobody is signed out', async () => {
    const area = sharedArea()
    const first = await signedInClient({ storage: area.tab() })
    const second = await signedInClient({ storage: area.tab(), authSuccess: first.authSuccess })
    clock.advance(50 * SECOND)
    await Promise.all([first.client.fetch('/api/me'), second.client.fetch('/api/me')])
    expect([...first.refreshes(), ...second.refreshes()]).toEqual(['POST /auth/refresh 200', 'POST /auth/refresh 200'])
    expect(first.client.authSuccess?.token).toBe(second.client.authSuccess?.token)
    expect([first.signedOut, second.signedOut]).toEqual([[], []])
    expect((await second.client.fetch('/api/me')).status).toBe(200)
  })

  it('sign out everywhere revokes every token of the user on the server', async () => {
    const { client, authUserId, signedOut } = await signedInClient()
    await issue(auth.tokenManager, authUserId) // a second device
    expect(await client.signOut({ everywhere: true })).toBe(true)
    expect(await auth.tokenManager.listTokens({ authUserId })).toEqual([])
    expect(signedOut).toEqual(['signOut'])
  })
})

describe.each([
  ['1 hour ahead of', 3_600 * SECOND],
  ['1 hour behind', -3_600 * SECOND],
])('client + real routes, device clock %s the server’s', (_, skewMs) => {
  it.each([
    ['the JWT’s iat', false],
    ['the Date header at refresh', true],
  ])('refreshes each 1-minute token once, in its last 30 s on the server clock (skew from %s)', async (_, dateHeader) => {
    const { client, exchanges, leftAtRefresh } = await signedInClient({ skewMs, dateHeader })
    for (let elapsed = 0; elapsed < 3 * 60 * SECOND; elapsed += 5 * SECOND) {
      expect((await client.fetch('/api/me')).status).toBe(200)
      clock.advance(5 * SECOND)
    }
    expect(exchanges.filter((exchange) => !exchange.endsWith(' 200'))).toEqual([]) // no 401: never too late
    // Each token is refreshed once, near its end: never a fresh one (a storm), never after expiry.
    expect(leftAtRefresh.length).toBeGreaterThanOrEqual(3)
    expect(leftAtRefresh[0]).toBeLessThanOrEqual(41 * SECOND) // the sign-in's estimate allows 10 s of request time
    for (const left of leftAtRefresh.slice(1)) expect(left).toBeLessThanOrEqual(31 * SECOND)
    for (const left of leftAtRefresh) expect(left).toBeGreaterThan(0)
    expect(Math.abs(client.authSuccess!.serverClockOffsetMs! + skewMs)).toBeLessThanOrEqual(SECOND)
  })
})

it('a session (no refresh token, possibly no expiry) keeps working on a skewed device', async () => {
  const { client, exchanges } = await signedInClient({ strategy: 'session', skewMs: 3_600 * SECOND })
  expect((await client.fetch('/api/me')).status).toBe(200)
  clock.advance(10 * 60 * SECOND)
  expect((await client.fetch('/api/me')).status).toBe(200)
  expect(exchanges).toEqual(['GET /api/me 200', 'GET /api/me 200'])
})
