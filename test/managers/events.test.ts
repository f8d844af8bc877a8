// Every AuthEvent type, on the local Postgres server and on SQLite (better-sqlite3): what each carries,
// when it is emitted (once), and that none holds a secret.
import BetterSqlite3 from 'better-sqlite3'
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { drizzleTokenStore } from '../../src/drizzle/index.ts'
import {
  initializeAuthServices, JwtAlgorithm, JwtTokenManager, RefreshTokenReusedError, ServerSideSessionsTokenManager,
  StorageUnavailableError, type AuthServicesOptions, type TokenStore,
} from '../../src/index.ts'
import { sqliteTokenStore } from '../../src/sqlite/index.ts'
import { days, minutes, withWrongSecret } from '../conformance/fixtures.ts'
import { jwtConfig, sessionsConfig, testClock, type TestClock } from '../support/auth.ts'
import { openDatabase, openSqliteDatabase } from '../support/drivers.ts'
import { eventRecorder } from '../support/events.ts'
import { es512KeyMaterial } from '../support/forge.ts'

const quiet = { logger: { error: () => {} } }
const request = { ipAddress: '203.0.113.7', userAgent: 'events-test/1.0' }

interface Backend {
  store(): TokenStore<any>
  /** A store whose database refuses every operation as unavailable, and what the driver code is. */
  unavailable(): Promise<{ store: TokenStore<any>; driverCode: string; release(): void }>
  close(): Promise<void>
}

const backends: Record<string, () => Promise<Backend>> = {
  postgres: async () => {
    const database = await openDatabase('node-postgres')
    return {
      store: () => drizzleTokenStore(database.db, quiet),
      unavailable: async () => {
        const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/none', connectionTimeoutMillis: 2_000 })
        pool.on('error', () => {})
        return { store: drizzleTokenStore(drizzlePg(pool), quiet), driverCode: 'ECONNREFUSED', release: () => void pool.end() }
      },
      close: () => database.close(),
    }
  },
  sqlite: async () => {
    const database = await openSqliteDatabase('better-sqlite3')
    return {
      store: () => sqliteTokenStore(database.db, quiet),
      unavailable: async () => {
        const holder = new BetterSqlite3(database.file!)
        const impatient = new BetterSqlite3(database.file!, { timeout: 20 })
        holder.exec('begin immediate')
        return {
          store: sqliteTokenStore(drizzleSqlite(impatient), quiet),
          driverCode: 'SQLITE_BUSY',
          release: () => (holder.exec('rollback'), holder.close(), impatient.close()),
        }
      },
      close: () => database.close(),
    }
  },
}

describe.each(Object.keys(backends))('events on %s', (name) => {
  let backend: Backend
  beforeAll(async () => {
    backend = await backends[name]!()
  })
  afterAll(async () => backend?.close())

  function services(options: Partial<AuthServicesOptions> & { jwt?: Parameters<typeof jwtConfig>[0]; session?: Parameters<typeof sessionsConfig>[0] } = {}) {
    const recorder = eventRecorder()
    const clock: TestClock = testClock()
    const auth = initializeAuthServices({
      store: backend.store(),
      tokenManagerBuilders: [jwtConfig(options.jwt), sessionsConfig(options.session)],
      clock,
      onEvent: recorder.onEvent,
      validationFailures: { perMinute: 1_000 },
      ...options,
    })
    return { auth, clock, recorder, jwt: auth.getTokenManager(JwtTokenManager), sessions: auth.getTokenManager(ServerSideSessionsTokenManager) }
  }

  const signIn = async ({ auth, recorder, sessions }: ReturnType<typeof services>, user = `user-${crypto.randomUUID()}`) => {
    const jwt = await auth.tokenManager.issueToken({ authUserId: user, method: 'email', scopes: ['read'], context: request })
    const session = await sessions.issueToken({ authUserId: user, method: 'passkey', context: request })
    recorder.secret(jwt.token, jwt.refreshToken, session.token)
    return { user, jwt, session }
  }


  it('sign-in: issuer, token id, user, method, scopes and the request, on the server clock; after the call returned', async () => {
    const s = services()
    await s.auth.tokenManager.issueToken({ authUserId: 'first', method: 'email' })
    // Queued, not delivered inside the call: the caller's next step comes first.
    expect(s.recorder.events).toEqual([])
    await s.auth.events.settled()
    s.recorder.events.length = 0
    const { user, jwt, session } = await signIn(s)
    const signIns = await s.recorder.of(s.auth, 'sign-in')
    expect(signIns).toEqual([
      { type: 'sign-in', tokenIssuer: 'jwt', tokenId: jwt.tokenId, authUserId: user, method: 'email', scopes: ['read'], at: s.clock(), clock: 'server', context: request },
      { type: 'sign-in', tokenIssuer: 'session', tokenId: session.tokenId, authUserId: user, method: 'passkey', scopes: [], at: s.clock(), clock: 'server', context: request },
    ])
    expect(Object.isFrozen(signIns[0])).toBe(true)
    expect(await s.recorder.expectNoSecrets(s.auth)).toBe(2)
  })

  it('refresh: the family id, and whether it was a grace retry; reuse after the window: exactly one reuse-detected and one revocation', async () => {
    const s = services({ jwt: { refreshTokenRotationGracePeriod: '10s' } })
    const { user, jwt } = await signIn(s)
    const first = await s.jwt.refreshAccessToken(jwt.refreshToken!, { context: request })
    s.clock.advance(1_000)
    const retry = await s.jwt.refreshAccessToken(jwt.refreshToken!, { context: request })
    expect(retry.refreshToken).toBe(first.refreshToken)
    s.recorder.secret(first.token, first.refreshToken, retry.token)
    const refreshes = await s.recorder.of(s.auth, 'refresh')
    expect(refreshes.map((e) => [e.tokenId, e.authUserId, e.method, e.graceRetry, e.clock, e.context])).toEqual([
      [jwt.tokenId, user, 'email', false, 'database', request],
      [jwt.tokenId, user, 'email', true, 'database', request],
    ])

    s.clock.advance(minutes(2))
    const replay = { context: { ...request, ipAddress: '198.51.100.9' } }
    await expect(s.jwt.refreshAccessToken(jwt.refreshToken!, replay)).rejects.toBeInstanceOf(RefreshTokenReusedError)
    // The family is gone: a second replay finds nothing, and reports no second reuse.
    await expect(s.jwt.refreshAccessToken(jwt.refreshToken!, replay)).rejects.toMatchObject({ code: 'ERR_REFRESH_TOKEN_NOT_FOUND' })
    const reuses = await s.recorder.of(s.auth, 'reuse-detected')
    expect(reuses).toEqual([{
      type: 'reuse-detected', tokenId: jwt.tokenId, authUserId: user, method: 'email', sinceRotationMs: minutes(2) + 1_000,
      at: s.clock(), clock: 'database', context: replay.context,
    }])
    expect((await s.recorder.of(s.auth, 'revocation')).map((e) => [e.reason, e.tokenIssuer, e.tokenId])).toEqual([['reuse', 'jwt', jwt.tokenId]])
    await s.recorder.expectNoSecrets(s.auth)
  })

  it('revocation: the reason the caller gave (default app), the ids or the filter, one per manager reached', async () => {
    const s = services()
    const { user, jwt, session } = await signIn(s)
    await s.auth.tokenManager.revokeToken({ tokenId: jwt.tokenId, tokenIssuer: 'jwt', reason: 'sign-out', context: request })
    await s.auth.tokenManager.revokeToken({ tokenId: session.tokenId, tokenIssuer: 'session' })
    await s.auth.tokenManager.revokeAllTokens({ authUserId: user, reason: 'blocked-user' })
    await s.sessions.revokeAllTokens({ authUserId: user, method: 'passkey', reason: 'sign-out-all' })
    const revocations = await s.recorder.of(s.auth, 'revocation')
    expect(revocations.map(({ reason, tokenIssuer, tokenId, filter, context }) => ({ reason, tokenIssuer, tokenId, filter, context }))).toEqual([
      { reason: 'sign-out', tokenIssuer: 'jwt', tokenId: jwt.tokenId, filter: undefined, context: request },
      { reason: 'app', tokenIssuer: 'session', tokenId: session.tokenId, filter: undefined, context: undefined },
      { reason: 'blocked-user', tokenIssuer: 'jwt', tokenId: undefined, filter: { authUserId: user }, context: undefined },
      { reason: 'blocked-user', tokenIssuer: 'session', tokenId: undefined, filter: { authUserId: user }, context: undefined },
      { reason: 'sign-out-all', tokenIssuer: 'session', tokenId: undefined, filter: { authUserId: user, method: 'passkey' }, context: undefined },
    ])
    await s.recorder.expectNoSecrets(s.auth)
  })

  it('session-expired: lifetime or inactivity, on the database clock, with a validation failure "expired"', async () => {
    const s = services({ session: { defaultSessionInactivityTimeout: '1h' } })
    const user = `user-${crypto.randomUUID()}`
    const idle = await s.sessions.issueToken({ authUserId: user, method: 'email' })
    const short = await s.sessions.issueToken({ authUserId: user, method: 'email', expiresAt: new Date(s.clock().getTime() + minutes(5)), expireAfterUnusedFor: null })
    s.recorder.secret(idle.token, short.token)
    s.clock.advance(minutes(10))
    expect(await s.auth.tokenManager.validateToken(short.token, { context: request })).toBeNull()
    s.clock.advance(days(1))
    expect(await s.auth.tokenManager.validateToken(idle.token)).toBeNull()
    const expired = await s.recorder.of(s.auth, 'session-expired')
    expect(expired.map((e) => [e.tokenId, e.reason, e.authUserId, e.clock])).toEqual([[short.tokenId, 'lifetime', user, 'database'], [idle.tokenId, 'inactivity', user, 'database']])
    expect(expired[0]!.context).toEqual(request)
    expect((await s.recorder.of(s.auth, 'validation-failed')).map((e) => [e.reason, e.tokenIssuer])).toEqual([['expired', 'session'], ['expired', 'session']])
    await s.recorder.expectNoSecrets(s.auth)
  })

  it('validation-failed: the reason for each kind of bad token, never the token', async () => {
    const s = services({ jwt: { issuer: 'https://events.example' } })
    const { jwt, session } = await signIn(s)
    const foreignIssuer = initializeAuthServices({ store: backend.store(), tokenManagerBuilders: [jwtConfig({ issuer: 'https://other.example' })], clock: s.clock })
    const otherKey = initializeAuthServices({ store: backend.store(), tokenManagerBuilders: [jwtConfig({ algorithm: JwtAlgorithm.hmacSha512('another-key-that-is-long-enough-0123456789-abcdefgh'), issuer: 'https://events.example' })], clock: s.clock })
    const es = await es512KeyMaterial()
    const es512 = initializeAuthServices({ store: backend.store(), tokenManagerBuilders: [jwtConfig({ algorithm: JwtAlgorithm.ecdsaSha512({ privateKey: es.privateKey, publicKey: es.publicKey }), issuer: 'https://events.example' })], clock: s.clock })
    const [wrongIssuer, badSignature, unknownKey] = await Promise.all([foreignIssuer, otherKey, es512].map((a) => a.tokenManager.issueToken({ authUserId: 'x', method: 'email' })))
    const revoked = await s.sessions.issueToken({ authUserId: 'y', method: 'email' })
    await s.sessions.revokeToken({ tokenId: revoked.tokenId })
    s.recorder.secret(wrongIssuer!.token, badSignature!.token, unknownKey!.token, revoked.token)
    await s.auth.events.settled()
    s.recorder.events.length = 0

    const presented = ['not a token', 'a.b.c', wrongIssuer!.token, badSignature!.token, unknownKey!.token, revoked.token, withWrongSecret(session.token)]
    for (const token of presented) expect(await s.auth.tokenManager.validateToken(token, { context: request })).toBeNull()
    s.clock.advance(minutes(11))
    expect(await s.auth.tokenManager.validateToken(jwt.token)).toBeNull()
    const failures = await s.recorder.of(s.auth, 'validation-failed')
    expect(failures.map((e) => [e.reason, e.tokenIssuer, e.skipped])).toEqual([
      ['malformed', null, 0], ['malformed', 'jwt', 0], ['wrong-issuer', 'jwt', 0], ['bad-signature', 'jwt', 0], ['unknown-key', 'jwt', 0],
      ['revoked', 'session', 0], ['bad-secret', 'session', 0], ['expired', 'jwt', 0],
    ])
    expect(failures[0]!.context).toEqual(request)
    await s.recorder.expectNoSecrets(s.auth)
  })

  it('validation failures are sampled and capped per minute; what was left out is counted in `skipped`', async () => {
    const none = services({ validationFailures: { sample: 0 } })
    for (let i = 0; i < 5; i++) await none.auth.tokenManager.validateToken('garbage')
    expect(await none.recorder.of(none.auth, 'validation-failed')).toEqual([])

    const capped = services({ validationFailures: { perMinute: 2 } })
    for (let i = 0; i < 10; i++) await capped.auth.tokenManager.validateToken('garbage')
    capped.clock.advance(minutes(1))
    await capped.auth.tokenManager.validateToken('garbage')
    expect((await capped.recorder.of(capped.auth, 'validation-failed')).map((e) => e.skipped)).toEqual([0, 0, 8])
    expect(() => services({ validationFailures: { sample: 2 } })).toThrow(/sample/)
  })

  it('storage-unavailable: the operation and the driver code, and the operation still fails as before', async () => {
    const broken = await backend.unavailable()
    try {
      const recorder = eventRecorder()
      const auth = initializeAuthServices({ store: broken.store, tokenManagerBuilders: [sessionsConfig()], onEvent: recorder.onEvent })
      await expect(auth.tokenManager.issueToken({ authUserId: 'u', method: 'email' })).rejects.toBeInstanceOf(StorageUnavailableError)
      expect((await recorder.of(auth, 'storage-unavailable')).map((e) => [e.operation, e.driverCode])).toEqual([['insertSession', broken.driverCode]])
      await recorder.expectNoSecrets(auth)
    } finally {
      broken.release()
    }
  })
})

