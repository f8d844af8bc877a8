// The database goes away mid-run — by cutting the line, never by stopping the shared server: a TCP
// proxy between the driver and Postgres (both drivers) and one in front of the local Neon HTTP endpoint
// (neon-http). While it is cut, every operation that needs the database fails with the typed, retryable
// StorageUnavailableError, JWTs keep validating (they need no database), and no token is handed out
// without its row. Once restored, everything issued before works again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JwtTokenManager, StorageUnavailableError, type AuthSuccess } from '../../src/index.ts'
import { createAuth, testClock } from '../support/auth.ts'
import { bearer, faultApp, faultFigures, refreshBody } from '../support/fault-app.ts'
import { openFaultyDatabase, type FaultPoint, type FaultyDatabase, type FaultyDriver } from '../support/faulty-database.ts'

const drivers: FaultyDriver[] = ['node-postgres', 'neon-http']
const figures = faultFigures('faults')

/** Asserts the promise rejects with the retryable storage error, and nothing else. */
async function expectUnavailable(operation: Promise<unknown>): Promise<void> {
  const error = await operation.then(() => null, (e: unknown) => e)
  expect(error).toBeInstanceOf(StorageUnavailableError)
  expect(error).toMatchObject({ code: 'ERR_STORAGE_UNAVAILABLE', retryable: true })
}

describe.each(drivers)('faults on %s', (driver) => {
  let database: FaultyDatabase
  beforeAll(async () => void (database = await openFaultyDatabase(driver)))
  afterAll(async () => {
    figures.add('faultsInjected', database?.faults ?? 0)
    await database?.close()
  })

  const rowsOf = async (authUserId: string) => {
    const [refresh] = await database.query('select count(*)::int as n from auth_refresh_token where auth_user_id = $1', [authUserId])
    const [sessions] = await database.query('select count(*)::int as n from auth_session where auth_user_id = $1', [authUserId])
    return (refresh!.n as number) + (sessions!.n as number)
  }

  const points: FaultPoint[] = driver === 'neon-http' ? ['database', 'endpoint'] : ['database']

  it.each(points)('cut at the %s: typed retryable errors, JWTs still valid, nothing lost after restore', async (point) => {
    const clock = testClock()
    const { auth } = createAuth(database.db, 'multi', { clock })
    const sessionAuth = createAuth(database.db, 'session', { clock }).auth
    const jwt = auth.getTokenManager(JwtTokenManager)
    const user = `fault-${point}`
    const pair = await auth.tokenManager.issueToken({ authUserId: user, method: 'email' })
    const session = await sessionAuth.tokenManager.issueToken({ authUserId: user, method: 'email' })

    database.setMode('refuse', point)
    // A JWT needs no database: it stays valid while the store is down.
    expect(await auth.tokenManager.validateToken(pair.token)).toMatchObject({ userIdentifier: user })
    // A session does: the answer is "unavailable", never "invalid".
    await expectUnavailable(auth.tokenManager.validateToken(session.token))
    await expectUnavailable(jwt.refreshAccessToken(pair.refreshToken!))
    await expectUnavailable(auth.tokenManager.issueToken({ authUserId: `${user}-new`, method: 'email' }))
    await expectUnavailable(sessionAuth.tokenManager.issueToken({ authUserId: `${user}-new`, method: 'email' }))
    await expectUnavailable(auth.tokenManager.revokeToken({ tokenId: session.tokenId }))
    await expectUnavailable(auth.tokenManager.revokeAllTokens({ authUserId: user }))
    await expectUnavailable(auth.tokenManager.listTokens({ authUserId: user }))
    // Garbage is still recognised as garbage without asking the database.
    expect(await auth.tokenManager.validateToken('not-a-token')).toBeNull()
    // Over HTTP: 503 with Retry-After wherever the database is needed, never 401 for a valid token.
    const app = faultApp(auth)
    const sessionResponse = await app.request('/me', bearer(session.token))
    expect(sessionResponse.status).toBe(503)
    expect(sessionResponse.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(await sessionResponse.json()).toEqual({ error: 'temporarily_unavailable', code: 'ERR_STORAGE_UNAVAILABLE' })
    expect((await app.request('/me', bearer(pair.token))).status).toBe(200)
    expect((await app.request('/me', bearer('not-a-token'))).status).toBe(401)
    expect((await app.request('/auth/refresh', refreshBody(pair.refreshToken!))).status).toBe(503)
    expect((await app.request('/auth/tokens', bearer(pair.token))).status).toBe(503)
    expect((await app.request('/auth/sign-out', { method: 'POST', ...bearer(pair.token) })).status).toBe(503)

    database.setMode('open')
    // Nothing was half-written while cut, nothing issued before was lost.
    expect(await rowsOf(`${user}-new`)).toBe(0)
    expect(await auth.tokenManager.validateToken(session.token)).toMatchObject({ userIdentifier: user, authId: session.tokenId })
    const refreshed = await jwt.refreshAccessToken(pair.refreshToken!)
    expect(await auth.tokenManager.validateToken(refreshed.token)).toMatchObject({ authId: pair.tokenId })
    expect((await auth.tokenManager.listTokens({ authUserId: user })).map((t) => t.tokenId).sort()).toEqual([pair.tokenId, session.tokenId].sort())
    expect((await app.request('/me', bearer(session.token))).status).toBe(200)
    expect((await app.request('/auth/refresh', refreshBody(refreshed.refreshToken!))).status).toBe(200)
  })

  it('a cut in the middle of 30 concurrent issues: every token handed out has its row', async () => {
    const { auth } = createAuth(database.db, 'multi')
    const sessionAuth = createAuth(database.db, 'session').auth
    const user = 'fault-midway'
    const issues = Array.from({ length: 30 }, (_, i) =>
      (i % 2 ? auth : sessionAuth).tokenManager.issueToken({ authUserId: user, method: 'email' }),
    )
    // Let some statements reach the server, then cut while the rest are in flight.
    await issues[0]
    database.setMode('refuse')
    const settled = await Promise.allSettled(issues)
    database.setMode('open')

    const issued = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value as AuthSuccess] : []))
    const failed = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []))
    expect(issued.length).toBeGreaterThanOrEqual(1)
    expect(failed.length).toBeGreaterThanOrEqual(1) // the cut did land mid-flight
    for (const error of failed) expect(error).toBeInstanceOf(StorageUnavailableError)
    const stored = new Set(
      (await database.query('select id::text from auth_refresh_token where auth_user_id = $1 union all select id::text from auth_session where auth_user_id = $1', [user])).map((r) => r.id),
    )
    for (const success of issued) expect(stored.has(success.tokenId)).toBe(true)
    // Rows whose statement committed just before the cut, but whose caller saw the failure: unreachable
    // (nobody holds their secret), harmless, and they expire like any other.
    figures.add('orphanRows', stored.size - issued.length)
    for (const success of issued) expect(await auth.tokenManager.validateToken(success.token)).toMatchObject({ authId: success.tokenId })
  })

  it('a cut in the middle of 20 concurrent refreshes: after restore the client retries and gets the same pair as the winners', async () => {
    const { auth } = createAuth(database.db, 'jwt')
    const jwt = auth.getTokenManager(JwtTokenManager)
    const pair = await jwt.issueToken({ authUserId: 'fault-refresh-storm', method: 'email' })
    const storm = Array.from({ length: 20 }, () => jwt.refreshAccessToken(pair.refreshToken!))
    await Promise.race(storm.map((p) => p.catch(() => {})))
    database.setMode('refuse')
    const settled = await Promise.allSettled(storm)
    database.setMode('open')
    for (const r of settled) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(StorageUnavailableError)
    const retry = await jwt.refreshAccessToken(pair.refreshToken!)
    for (const r of settled) if (r.status === 'fulfilled') expect(r.value.refreshToken).toBe(retry.refreshToken)
    expect(await jwt.validateToken(retry.token)).toMatchObject({ authId: pair.tokenId })
    await expect(jwt.refreshAccessToken(retry.refreshToken!)).resolves.toMatchObject({ tokenId: pair.tokenId })
  })

  it('a refresh whose answer is lost after the rotation committed: the retry inside the grace window gets the rotated pair', async () => {
    const clock = testClock()
    const { auth } = createAuth(database.db, 'jwt', { clock })
    const jwt = auth.getTokenManager(JwtTokenManager)
    const pair = await jwt.issueToken({ authUserId: 'fault-lost', method: 'email' })
    const [before] = await database.query('select rotating_secret_hash from auth_refresh_token where id = $1', [pair.tokenId])

    // Swallow the answers from the moment the compare-and-swap is sent: it commits, the caller never hears.
    const store = auth.store
    const rotate = store.rotateRefreshToken.bind(store)
    store.rotateRefreshToken = (rotation) => {
      database.setMode('swallow-responses', driver === 'neon-http' ? 'endpoint' : 'database')
      return rotate(rotation)
    }
    await expectUnavailable(jwt.refreshAccessToken(pair.refreshToken!))
    store.rotateRefreshToken = rotate
    database.setMode('open')
    const [after] = await database.query('select rotating_secret_hash, previous_rotating_secret_hash from auth_refresh_token where id = $1', [pair.tokenId])
    expect(after!.previous_rotating_secret_hash).toEqual(before!.rotating_secret_hash) // it did commit

    clock.advance(5_000) // the client retries within the 10 s grace window
    const retried = await jwt.refreshAccessToken(pair.refreshToken!)
    expect(await jwt.validateToken(retried.token)).toMatchObject({ authId: pair.tokenId })
    const next = await jwt.refreshAccessToken(retried.refreshToken!)
    expect(next.tokenId).toBe(pair.tokenId)
  })
})
