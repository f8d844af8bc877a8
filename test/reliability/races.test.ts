// Races on the real PostgreSQL server, through Neon's HTTP protocol and through a node-postgres pool.
// Writes are counted by triggers in the test's own database, so "exactly one" is read off the server,
// not inferred from return values.
import { pgTable, text, uuid } from 'drizzle-orm/pg-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  JwtTokenManager, RefreshTokenInvalidSecretError, RefreshTokenNotFoundError, StorageError,
  type AuthSuccess, type AuthServices,
} from '../../src/index.ts'
import { createAuth, testClock, type TestClock } from '../support/auth.ts'
import { openDatabase, type OpenDatabase } from '../support/drivers.ts'
import { createFigures } from '../support/figures.ts'

const figures = createFigures('races')
figures.watchUnhandled()
afterAll(() => {
  figures.write()
  expect(figures.get('unhandledExceptions')).toBe(0)
})

const raceMeta = pgTable('race_meta', { tokenId: uuid('token_id').primaryKey(), label: text('label').notNull() })

// One row per real write, by kind: `rotation` (the rotating hash changed), `touch` (lastUsedAt changed),
// `update` (any row version written at all).
const writeLog = `
  create table write_log (tbl text not null, id uuid not null, kind text not null);
  create function log_write() returns trigger language plpgsql as $$
    begin insert into write_log values (tg_table_name, new.id, tg_argv[0]); return new; end $$;
  create trigger refresh_rotation after update on auth_refresh_token for each row
    when (old.rotating_secret_hash is distinct from new.rotating_secret_hash) execute function log_write('rotation');
  create trigger session_touch after update on auth_session for each row
    when (old.last_used_at is distinct from new.last_used_at) execute function log_write('touch');
  create trigger session_update after update on auth_session for each row execute function log_write('update');
  create table race_meta (token_id uuid primary key, label text not null check (label <> 'bad'));`

/** Starts `count` calls at once and returns their outcomes. */
async function race<T>(count: number, call: (i: number) => Promise<T>): Promise<PromiseSettledResult<T>[]> {
  figures.add('racesRun')
  figures.add('concurrentOperations', count)
  return Promise.allSettled(Array.from({ length: count }, (_, i) => call(i)))
}

const fulfilled = <T>(results: PromiseSettledResult<T>[]) => results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
const rejected = <T>(results: PromiseSettledResult<T>[]) => results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []))

describe.each(['neon-http', 'node-postgres'] as const)('races on %s', (driver) => {
  let database: OpenDatabase
  beforeAll(async () => {
    database = await openDatabase(driver)
    await database.query(writeLog)
  })
  afterAll(async () => database?.close())

  const writes = async (id: string, kind: string) =>
    (await database.query('select count(*)::int as n from write_log where id = $1 and kind = $2', [id, kind]))[0]!.n as number
  const rowExists = async (table: string, id: string) => (await database.query(`select 1 from ${table} where id = $1`, [id])).length === 1

  function jwtSetup(clock: TestClock = testClock()) {
    const { auth } = createAuth(database.db, 'multi', { clock })
    return { auth, clock, jwt: auth.getTokenManager(JwtTokenManager) }
  }

  it('50 concurrent refreshes of one token: all succeed with the same new refresh token, and the row rotates once', async () => {
    const { auth, jwt } = jwtSetup()
    const issued = await jwt.issueToken({ authUserId: 'race-50', method: 'email' })
    const [before] = await database.query('select rotating_secret_hash from auth_refresh_token where id = $1', [issued.tokenId])

    const results = await race(50, () => jwt.refreshAccessToken(issued.refreshToken!))
    expect(rejected(results)).toEqual([])
    const pairs = fulfilled(results)
    expect(new Set(pairs.map((p) => p.refreshToken)).size).toBe(1)
    expect(pairs[0]!.refreshToken).not.toBe(issued.refreshToken)
    // Access tokens differ only by jti; all name the same refresh token and expire together.
    expect(new Set(pairs.map((p) => p.tokenExpiresAt!.getTime())).size).toBe(1)
    for (const pair of pairs) expect(await auth.tokenManager.validateToken(pair.token)).toMatchObject({ authId: issued.tokenId, userIdentifier: 'race-50' })

    expect(await writes(issued.tokenId, 'rotation')).toBe(1)
    const [after] = await database.query('select previous_rotating_secret_hash from auth_refresh_token where id = $1', [issued.tokenId])
    expect(after!.previous_rotating_secret_hash).toEqual(before!.rotating_secret_hash)
    // The shared successor is a working refresh token.
    await jwt.refreshAccessToken(pairs[0]!.refreshToken!)
    expect(await writes(issued.tokenId, 'rotation')).toBe(2)
  })

  // Strict mode on the real clock (no injected clock: the database's decides), 30 rounds: a frozen test
  // clock once hid a second winner here, because the old compare-and-swap kept a grace branch at 0 s.
  it('grace 0: of 20 parallel refreshes of one token exactly one wins, every loser is told "reused", the family dies (×30)', async () => {
    const { auth } = createAuth(database.db, 'jwt', { clock: 'database', jwt: { refreshTokenRotationGracePeriod: 0 } })
    const jwt = auth.getTokenManager(JwtTokenManager)
    for (let round = 0; round < 30; round++) {
      const issued = await jwt.issueToken({ authUserId: `race-strict-${round}`, method: 'email' })
      const results = await race(20, () => jwt.refreshAccessToken(issued.refreshToken!))
      const winners = fulfilled(results)
      expect(winners, `round ${round}`).toHaveLength(1)
      for (const error of rejected(results)) expect(['ERR_REFRESH_TOKEN_REUSED', 'ERR_REFRESH_TOKEN_NOT_FOUND']).toContain((error as { code: string }).code)
      expect(await writes(issued.tokenId, 'rotation')).toBe(1)
      expect(await rowExists('auth_refresh_token', issued.tokenId)).toBe(false)
      await expect(jwt.refreshAccessToken(winners[0]!.refreshToken!)).rejects.toBeInstanceOf(RefreshTokenNotFoundError)
    }
  })

  // "Revoked" means, once revokeToken has resolved: (1) no refresh started after that succeeds, (2) every
  // refresh token any racing refresh returned is dead, (3) no row of the family is left. Access tokens
  // that racing refreshes signed stay valid until their exp (≤ now + accessTokenLifetime): the JWT limit.
  const revokeMoments = { 'at once': 0, 'after 8 event-loop turns': 8, 'after the first refresh returned': 1, 'after 10 refreshes returned': 10 }
  it.each(Object.keys(revokeMoments))('a storm of 20 refreshes racing revokeToken (revoke %s): nothing survives the revoke', async (moment) => {
    const { auth, jwt, clock } = jwtSetup()
    const user = `race-revoke-${moment}`
    const issued = await jwt.issueToken({ authUserId: user, method: 'email' })
    let returned = 0
    const calls = Array.from({ length: 20 }, () => jwt.refreshAccessToken(issued.refreshToken!).finally(() => void returned++))
    const storm = race(20, (i) => calls[i]!)
    const wanted = revokeMoments[moment as keyof typeof revokeMoments]
    if (moment.includes('turns')) for (let i = 0; i < wanted; i++) await new Promise((resolve) => setImmediate(resolve))
    else while (returned < wanted) await new Promise((resolve) => setImmediate(resolve))
    await auth.tokenManager.revokeToken({ tokenId: issued.tokenId })

    const after = await race(10, () => jwt.refreshAccessToken(issued.refreshToken!))
    expect(fulfilled(after)).toEqual([])
    for (const error of rejected(after)) expect(error).toBeInstanceOf(RefreshTokenNotFoundError)

    const results = await storm
    for (const error of rejected(results)) {
      expect([RefreshTokenNotFoundError, RefreshTokenInvalidSecretError].some((type) => error instanceof type)).toBe(true)
    }
    const survivors = fulfilled(results)
    if (moment.includes('returned')) expect(survivors.length).toBeGreaterThanOrEqual(wanted)
    for (const refreshToken of new Set(survivors.map((s) => s.refreshToken!))) {
      await expect(jwt.refreshAccessToken(refreshToken)).rejects.toBeInstanceOf(RefreshTokenNotFoundError)
    }
    expect(await rowExists('auth_refresh_token', issued.tokenId)).toBe(false)
    expect(await auth.tokenManager.listTokens({ authUserId: user })).toEqual([])
    // The honest limit: a signed access token lives until exp, and not a second longer.
    for (const survivor of survivors) expect(survivor.tokenExpiresAt!.getTime()).toBeLessThanOrEqual(clock().getTime() + 600_000)
    clock.advance(600_000 + 5_000)
    for (const survivor of survivors) expect(await auth.tokenManager.validateToken(survivor.token)).toBeNull()
  })

  it('validations racing revokeToken and revokeAllTokens: after either returns, the session is dead', async () => {
    const { auth } = createAuth(database.db, 'session')
    for (const revoke of ['one', 'all'] as const) {
      const user = `race-session-revoke-${revoke}`
      const session = await auth.tokenManager.issueToken({ authUserId: user, method: 'email' })
      const storm = race(30, () => auth.tokenManager.validateToken(session.token))
      await (revoke === 'one' ? auth.tokenManager.revokeToken({ tokenId: session.tokenId }) : auth.tokenManager.revokeAllTokens({ authUserId: user }))
      const after = await race(10, () => auth.tokenManager.validateToken(session.token))
      expect(after).toEqual(Array(10).fill({ status: 'fulfilled', value: null }))
      expect(rejected(await storm)).toEqual([])
      expect(await rowExists('auth_session', session.tokenId)).toBe(false)
    }
  })

  it('50 concurrent validations per interval write lastUsedAt exactly once per interval', async () => {
    const clock = testClock()
    const { auth } = createAuth(database.db, 'session', { clock })
    const session = await auth.tokenManager.issueToken({ authUserId: 'race-touch', method: 'email' })
    // Offsets in seconds from issue; the interval is 60 s. Writes are due at 61 (61 ≥ 0+60), 122, 190.
    const schedule = [[30, 0], [61, 1], [91, 1], [121, 1], [122, 2], [190, 3], [200, 3]] as const
    let elapsed = 0
    for (const [at, expectedWrites] of schedule) {
      clock.advance((at - elapsed) * 1000)
      elapsed = at
      const pending: Promise<unknown>[] = []
      // Half hand the write to waitUntil (Workers), half await it inline (Node): both paths race.
      const results = await race(50, (i) => auth.tokenManager.validateToken(session.token, i % 2 ? { waitUntil: (p) => void pending.push(p) } : {}))
      await Promise.all(pending)
      expect(fulfilled(results).filter((info) => info?.authId === session.tokenId)).toHaveLength(50)
      expect(await writes(session.tokenId, 'touch')).toBe(expectedWrites)
      // No other row version either: losers of the race write nothing at all.
      expect(await writes(session.tokenId, 'update')).toBe(expectedWrites)
    }
  })

  it('50 concurrent issues whose callback write fails for half: no token row without its metadata, none for the failures', async () => {
    const label = (i: number) => (i % 2 ? 'bad' : 'good')
    for (const kind of ['jwt', 'session'] as const) {
      const callback = (tokenId: string, context: unknown) => [database.db.insert(raceMeta).values({ tokenId, label: label(context as number) })]
      const { auth } = createAuth(database.db, kind, {
        jwt: { onRefreshTokenCreated: ({ refreshTokenId, context }) => callback(refreshTokenId, context) },
        session: { onSessionCreated: ({ sessionId, context }) => callback(sessionId, context) },
      })
      const user = `race-callback-${kind}`
      const results = await race(50, (i) => auth.tokenManager.issueToken({ authUserId: user, method: 'email', context: i }))
      const table = kind === 'jwt' ? 'auth_refresh_token' : 'auth_session'
      results.forEach((result, i) => {
        if (label(i) === 'good') expect(result.status).toBe('fulfilled')
        else expect((result as PromiseRejectedResult).reason).toMatchObject({ code: 'ERR_STORAGE', sqlState: '23514' })
      })
      for (const error of rejected(results)) expect(error).toBeInstanceOf(StorageError)
      const issued = fulfilled(results) as AuthSuccess[]
      const rows = await database.query(`select t.id, m.label from ${table} t left join race_meta m on m.token_id = t.id where t.auth_user_id = $1`, [user])
      expect(rows).toHaveLength(25)
      expect(new Set(rows.map((r) => r.id))).toEqual(new Set(issued.map((s) => s.tokenId)))
      expect(rows.every((r) => r.label === 'good')).toBe(true)
    }
  })

  // A callback returning something that is not a query is the app's bug, not an outage: a 503 "retry
  // later" would hide it forever.
  it('a callback that returns a non-query fails with ERR_CONFIG, not as retryable, and leaves no row', async () => {
    const { auth } = createAuth(database.db, 'multi', { jwt: { onRefreshTokenCreated: () => [{ not: 'a query' }] } })
    const error = await auth.tokenManager.issueToken({ authUserId: 'race-bad-callback', method: 'email' }).then(() => null, (e: unknown) => e)
    expect(error).toMatchObject({ code: 'ERR_CONFIG' })
    expect(error).not.toHaveProperty('retryable')
    expect(await database.query(`select id from auth_refresh_token where auth_user_id = 'race-bad-callback'`)).toEqual([])
  })

  // A sign-in that dies in the callback itself (before any SQL) must not leave a row either.
  it('an issue whose callback throws leaves no row', async () => {
    const { auth } = createAuth(database.db, 'multi', {
      jwt: { onRefreshTokenCreated: () => { throw new Error('callback failed') } },
    }) as { auth: AuthServices<unknown> }
    const results = await race(10, () => auth.tokenManager.issueToken({ authUserId: 'race-throw', method: 'email' }))
    expect(rejected(results).map((e) => (e as Error).message)).toEqual(Array(10).fill('callback failed'))
    expect(await database.query(`select id from auth_refresh_token where auth_user_id = 'race-throw'`)).toEqual([])
  })
})
