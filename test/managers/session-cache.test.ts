// The opt-in validated-session cache (`validationCache`): hits cost no round trip; a change made through
// the same manager is seen at once, one made elsewhere within maxAge; lifetime and inactivity stay exact on
// hits; a validation that raced a revoke never puts the revoked session back. Separate processes on real
// clocks: test/reliability/session-cache.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EdgeTokenError, ServerSideSessionsConfig, ServerSideSessionsTokenManager } from '../../src/index.ts'
import type { ValidationCacheOptions } from '../../src/index.ts'
import { drizzleTokenStore } from '../../src/drizzle/index.ts'
import { initializeAuthServices } from '../../src/index.ts'
import { createAuth, secrets, testClock, withWrongSecret } from '../support/auth.ts'
import { openCountedDatabase, type CountedDatabase } from '../support/round-trips.ts'

let database: CountedDatabase
beforeAll(async () => void (database = await openCountedDatabase('node-postgres')))
afterAll(async () => database?.close())

/** One isolate: its own manager (and cache) and clock, on the shared database. */
function isolate(validationCache: ValidationCacheOptions | null = { maxAge: '1s' }, session = {}) {
  const { auth, clock } = createAuth(database.db, 'session', { session: { ...(validationCache && { validationCache }), ...session } })
  return { sessions: auth.getTokenManager(ServerSideSessionsTokenManager), clock }
}

const userId = () => `cache-${crypto.randomUUID()}`


describe('validationCache', () => {
  it('is off by default: a revoke on another isolate holds on the very next validation', async () => {
    const a = isolate(null)
    const b = isolate(null)
    const issued = await a.sessions.issueToken({ authUserId: userId(), method: 'email' })
    expect(await a.sessions.validateToken(issued.token)).not.toBeNull()
    await b.sessions.revokeToken({ tokenId: issued.tokenId })
    expect(await a.sessions.validateToken(issued.token)).toBeNull()
  })

  it('answers a hit with no round trip, and the same answer as the database', async () => {
    const { sessions } = isolate()
    const issued = await sessions.issueToken({ authUserId: userId(), method: 'email', scopes: ['read'] })
    const first = await database.count(() => sessions.validateToken(issued.token))
    const hit = await database.count(() => sessions.validateToken(issued.token))
    expect(first.roundTrips).toBe(1)
    expect(hit.roundTrips).toBe(0)
    expect(hit.result).toEqual(first.result)
    expect(hit.result).toMatchObject({ userIdentifier: issued.authUserId, scopes: ['read'], authId: issued.tokenId })
  })

  it('never answers a wrong secret from the cache, even for a cached id', async () => {
    const { sessions } = isolate()
    const issued = await sessions.issueToken({ authUserId: userId(), method: 'email' })
    await sessions.validateToken(issued.token)
    expect(await sessions.validateToken(withWrongSecret(issued.token))).toBeNull()
    expect(await sessions.validateToken(issued.token)).not.toBeNull()
  })

  it('sees a revoke, a revoke-all and a scope change made through the same manager at once', async () => {
    const { sessions } = isolate({ maxAge: '60s' })
    const [one, two, three] = await Promise.all([userId(), userId(), userId()].map((authUserId) => sessions.issueToken({ authUserId, method: 'email' })))
    for (const issued of [one!, two!, three!]) await sessions.validateToken(issued.token)
    await sessions.revokeToken({ tokenId: one!.tokenId })
    await sessions.revokeAllTokens({ authUserId: two!.authUserId })
    await sessions.updateScopes({ tokenId: three!.tokenId, scopes: ['admin'] })
    expect(await sessions.validateToken(one!.token)).toBeNull()
    expect(await sessions.validateToken(two!.token)).toBeNull()
    expect(await sessions.validateToken(three!.token)).toMatchObject({ scopes: ['admin'] })
  })

  it('sees a change made on another isolate once its entry is maxAge old, not before', async () => {
    const a = isolate({ maxAge: '1s' })
    const b = isolate()
    const revoked = await a.sessions.issueToken({ authUserId: userId(), method: 'email' })
    const rescoped = await a.sessions.issueToken({ authUserId: userId(), method: 'email', scopes: ['read'] })
    await a.sessions.validateToken(revoked.token)
    await a.sessions.validateToken(rescoped.token)
    await b.sessions.revokeToken({ tokenId: revoked.tokenId })
    await b.sessions.updateScopes({ tokenId: rescoped.tokenId, scopes: [] })
    a.clock.advance(999)
    expect(await a.sessions.validateToken(revoked.token)).not.toBeNull() // the staleness the app accepted
    expect(await a.sessions.validateToken(rescoped.token)).toMatchObject({ scopes: ['read'] })
    a.clock.advance(1)
    expect(await a.sessions.validateToken(revoked.token)).toBeNull()
    expect(await a.sessions.validateToken(rescoped.token)).toMatchObject({ scopes: [] })
  })

  it('keeps lifetime exact on hits', async () => {
    const { sessions, clock } = isolate({ maxAge: '60s' })
    const issued = await sessions.issueToken({ authUserId: userId(), method: 'email', expiresAt: new Date(clock().getTime() + 10_000) })
    await sessions.validateToken(issued.token)
    clock.advance(9_999)
    expect(await database.count(() => sessions.validateToken(issued.token))).toMatchObject({ roundTrips: 0, result: expect.anything() })
    clock.advance(1)
    expect(await sessions.validateToken(issued.token)).toBeNull()
  })

  it('keeps writing lastUsedAt on hits, so a session used only through hits never idles out', async () => {
    // An inactivity timeout shorter than maxAge: refills alone (every 60 s) would let it idle out in between.
    const idle = { defaultSessionInactivityTimeout: '20s' }
    const { sessions, clock } = isolate({ maxAge: '60s' }, idle)
    const other = isolate(null, idle)
    const issued = await sessions.issueToken({ authUserId: userId(), method: 'email' })
    for (let step = 0; step < 35; step++) { // used every 5 s for 175 s; the last refill was at 120 s
      expect(await sessions.validateToken(issued.token), `at ${step * 5} s`).not.toBeNull()
      clock.advance(5_000)
    }
    // Another isolate, which never saw the hits, reads the row: lastUsedAt is recent, so it is alive.
    other.clock.set(clock())
    expect(await other.sessions.validateToken(issued.token)).not.toBeNull()
    clock.advance(22_000)
    expect(await sessions.validateToken(issued.token)).toBeNull()
  })

  it('never refills the cache from a validation whose read raced a revoke', async () => {
    const clock = testClock()
    const store = drizzleTokenStore(database.db)
    let release!: () => void
    let held: Promise<void> | null = null
    // The real store; its session read is held after it returned, while the revoke completes.
    const racing = Object.assign(Object.create(store), {
      findSession: async (id: string) => {
        const row = await store.findSession(id)
        if (held) await held
        return row
      },
    })
    const auth = initializeAuthServices({
      store: racing, clock,
      tokenManagerBuilders: [new ServerSideSessionsConfig({ sessionKeyHashPepper: secrets.sessionPepper, validationCache: { maxAge: '60s' } })],
    })
    const sessions = auth.getTokenManager(ServerSideSessionsTokenManager)
    const issued = await sessions.issueToken({ authUserId: userId(), method: 'email' })
    held = new Promise((resolve) => (release = resolve))
    const raced = sessions.validateToken(issued.token)
    await new Promise((resolve) => setTimeout(resolve, 50)) // the read has returned the row and is held
    held = null
    await sessions.revokeToken({ tokenId: issued.tokenId })
    release()
    expect(await raced).not.toBeNull() // it began before the revoke: answering it is fine
    expect(await sessions.validateToken(issued.token)).toBeNull() // but it must not have been cached
  })

  it.each([
    [{ maxAge: '61s' }, /at most 60 seconds/],
    [{ maxAge: 0 }, /maxAge/],
    [{ size: 0 }, /size/],
    [{ size: 1.5 }, /size/],
  ])('refuses %o with ERR_CONFIG', (validationCache, message) => {
    const build = () => new ServerSideSessionsConfig({ sessionKeyHashPepper: secrets.sessionPepper, validationCache: validationCache as ValidationCacheOptions })
    expect(build).toThrow(EdgeTokenError)
    expect(build).toThrow(message)
  })
})

describe('validationCache, a session in steady use', () => {
  /** Validates as a runtime with waitUntil would, and returns the answer and the background work it left. */
  async function validateLeavingWork(sessions: ServerSideSessionsTokenManager, token: string) {
    const left: Promise<unknown>[] = []
    const result = await sessions.validateToken(token, { waitUntil: (work) => void left.push(work) })
    return { result, background: Promise.all(left) }
  }

  it('is read again in the background past three quarters of maxAge, so its requests never wait for the database', async () => {
    const { sessions, clock } = isolate({ maxAge: '1s' })
    const issued = await sessions.issueToken({ authUserId: userId(), method: 'email' })
    await sessions.validateToken(issued.token)
    clock.advance(700)
    const early = await database.count(async () => (await validateLeavingWork(sessions, issued.token)).background)
    expect(early.roundTrips).toBe(0) // not yet due
    clock.advance(100)
    const due = await database.count(() => validateLeavingWork(sessions, issued.token))
    expect(due.roundTrips).toBe(0) // answered from memory; the read is left to the background
    expect(due.result.result).toMatchObject({ authId: issued.tokenId })
    expect(await database.count(() => due.result.background)).toMatchObject({ roundTrips: 1 })
    // 1.3 s after the first read, 0.5 s after the background one: still a hit, where the old entry would have run out.
    clock.advance(500)
    expect(await database.count(() => sessions.validateToken(issued.token))).toMatchObject({ roundTrips: 0, result: expect.anything() })
  })

  it('asks for one background read per entry, however many hits arrive meanwhile', async () => {
    const { sessions, clock } = isolate({ maxAge: '1s' })
    const issued = await sessions.issueToken({ authUserId: userId(), method: 'email' })
    await sessions.validateToken(issued.token)
    clock.advance(800)
    const hits = await database.count(async () => {
      const all = await Promise.all(Array.from({ length: 10 }, () => validateLeavingWork(sessions, issued.token)))
      await Promise.all(all.map((hit) => hit.background))
      return all
    })
    expect(hits.result.every((hit) => hit.result !== null)).toBe(true)
    expect(hits.roundTrips).toBe(1)
  })

  it('leaves the cache when the background read finds it revoked elsewhere, before maxAge is up', async () => {
    const a = isolate({ maxAge: '1s' })
    const b = isolate()
    const issued = await a.sessions.issueToken({ authUserId: userId(), method: 'email' })
    await a.sessions.validateToken(issued.token)
    await b.sessions.revokeToken({ tokenId: issued.tokenId })
    a.clock.advance(800)
    const hit = await validateLeavingWork(a.sessions, issued.token)
    expect(hit.result).not.toBeNull() // within the staleness the app accepted
    await hit.background
    a.clock.advance(1)
    expect(await a.sessions.validateToken(issued.token)).toBeNull()
  })

  it('never refills the cache from a background read that raced a revoke on the same manager', async () => {
    const { sessions, clock } = isolate({ maxAge: '1s' })
    const issued = await sessions.issueToken({ authUserId: userId(), method: 'email' })
    await sessions.validateToken(issued.token)
    clock.advance(800)
    const hit = await validateLeavingWork(sessions, issued.token) // its read is under way
    await sessions.revokeToken({ tokenId: issued.tokenId })
    await hit.background
    expect(await sessions.validateToken(issued.token)).toBeNull()
  })
})
