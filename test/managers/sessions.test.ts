// ServerSideSessionsTokenManager details the conformance suite does not pin: listed expiry, per-issue
// overrides, the throttled lastUsedAt, waitUntil, atomic onSessionCreated writes, configuration.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { ServerSideSessionsConfigFromPasswords, ServerSideSessionsTokenManager } from '../../src/index.ts'
import { createAuth, secrets, sessionsConfig, withWrongSecret } from '../support/auth.ts'
import { openDatabase, type OpenDatabase } from '../support/drivers.ts'

let database: OpenDatabase
beforeAll(async () => void (database = await openDatabase('pglite')))
afterAll(async () => database?.close())

const minutes = (n: number) => n * 60_000
const days = (n: number) => n * 86_400_000

function setup(options: Parameters<typeof createAuth>[2] = {}) {
  const { auth, clock } = createAuth(database.db, 'session', options)
  return { auth, clock, sessions: auth.getTokenManager(ServerSideSessionsTokenManager) }
}

const lastUsedAt = async (id: string) =>
  new Date((await database.query('select last_used_at from auth_session where id = $1', [id]))[0]!.last_used_at as string)


describe('sessions', () => {
  it('never expire by default', async () => {
    const { sessions, clock } = setup()
    const issued = await sessions.issueToken({ authUserId: 's-forever', method: 'email' })
    expect(issued).toMatchObject({ authStrategy: 'session', refreshToken: null, tokenExpiresAt: null })
    expect(issued.token.startsWith('etmst_')).toBe(true)
    clock.advance(days(3650))
    expect(await sessions.validateToken(issued.token)).toMatchObject({ userIdentifier: 's-forever' })
  })

  it('expire after the inactivity timeout, and use keeps them alive', async () => {
    const { sessions, clock } = setup({ session: { defaultSessionInactivityTimeout: '7d' } })
    const issued = await sessions.issueToken({ authUserId: 's-idle', method: 'email' })
    clock.advance(days(6))
    expect(await sessions.validateToken(issued.token)).not.toBeNull()
    clock.advance(days(6)) // 12 days after issue, 6 after last use
    expect(await sessions.validateToken(issued.token)).not.toBeNull()
    const [listed] = await sessions.listTokens({ authUserId: 's-idle' })
    // The inactivity deadline includes the lag allowed to lastUsedAt: min(1 min interval, 7 d / 20).
    expect(listed!.expiresAt).toEqual(new Date(clock().getTime() + days(7) + minutes(1)))
    clock.advance(days(7) + minutes(1))
    expect(await sessions.validateToken(issued.token)).toBeNull()
  })

  it('take per-issue overrides, including switching a default off', async () => {
    const { sessions, clock } = setup({ session: { defaultSessionLifetime: '1d', defaultSessionInactivityTimeout: '1h' } })
    const expiresAt = new Date(clock().getTime() + days(90))
    const long = await sessions.issueToken({ authUserId: 's-override', method: 'pat', expiresAt, expireAfterUnusedFor: null })
    expect(long.tokenExpiresAt).toEqual(expiresAt)
    clock.advance(days(60))
    expect(await sessions.validateToken(long.token)).not.toBeNull()
    const short = await sessions.issueToken({ authUserId: 's-override', method: 'email', expireAfterUnusedFor: '10m' })
    clock.advance(minutes(10) + 30_000)
    expect(await sessions.validateToken(short.token)).toBeNull()
  })

  it('write lastUsedAt at most once per interval', async () => {
    const { sessions, clock } = setup()
    const issued = await sessions.issueToken({ authUserId: 's-touch', method: 'email' })
    const issuedAt = clock()
    clock.advance(30_000)
    await sessions.validateToken(issued.token)
    expect(await lastUsedAt(issued.tokenId)).toEqual(issuedAt)
    clock.advance(31_000)
    await sessions.validateToken(issued.token)
    expect(await lastUsedAt(issued.tokenId)).toEqual(clock())
  })

  it('hand bookkeeping to waitUntil when the runtime offers it', async () => {
    const { sessions, clock } = setup()
    const issued = await sessions.issueToken({ authUserId: 's-wait', method: 'email' })
    clock.advance(minutes(2))
    const scheduled: Promise<unknown>[] = []
    expect(await sessions.validateToken(issued.token, { waitUntil: (p) => scheduled.push(p) })).not.toBeNull()
    expect(scheduled).toHaveLength(1)
    await Promise.all(scheduled)
    expect(await lastUsedAt(issued.tokenId)).toEqual(clock())
  })

  it('run onSessionCreated writes atomically with the insert', async () => {
    await database.query('create table if not exists session_note (session_id uuid references auth_session(id) on delete cascade, note text not null)')
    const { sql } = await import('drizzle-orm')
    const ok = setup({ session: { onSessionCreated: ({ sessionId }) => [sql`insert into session_note values (${sessionId}, 'hello')`] } })
    const issued = await ok.sessions.issueToken({ authUserId: 's-callback', method: 'email' })
    expect(await database.query('select note from session_note where session_id = $1', [issued.tokenId])).toEqual([{ note: 'hello' }])

    const failing = setup({ session: { onSessionCreated: ({ sessionId }) => [sql`insert into session_note values (${sessionId}, null)`] } })
    await expect(failing.sessions.issueToken({ authUserId: 's-callback-fail', method: 'email' })).rejects.toMatchObject({ code: 'ERR_STORAGE', sqlState: '23502' })
    expect(await failing.sessions.listTokens({ authUserId: 's-callback-fail' })).toEqual([])

    await ok.sessions.revokeToken({ tokenId: issued.tokenId })
    expect(await database.query('select note from session_note where session_id = $1', [issued.tokenId])).toEqual([])
  })

  it('skip the HMAC when the database returns the hash this secret already matched, and only then', async () => {
    const { sessions, auth } = setup()
    await auth.ready // its self-checks sign too
    const issued = await sessions.issueToken({ authUserId: 's-verified', method: 'email' })
    const sign = vi.spyOn(crypto.subtle, 'sign')
    try {
      await sessions.validateToken(issued.token)
      expect(sign).toHaveBeenCalledTimes(1)
      expect(await sessions.validateToken(issued.token)).not.toBeNull() // read again, hash not recomputed
      expect(sign).toHaveBeenCalledTimes(1)
      expect(await sessions.validateToken(withWrongSecret(issued.token))).toBeNull() // a wrong secret is hashed
      expect(sign).toHaveBeenCalledTimes(2)
      // The stored hash changes (another isolate re-hashed it): this secret is verified afresh against it.
      await database.query(`update auth_session set secret_hash = set_byte(secret_hash, 20, get_byte(secret_hash, 20) # 1) where id = $1`, [issued.tokenId])
      expect(await sessions.validateToken(issued.token)).toBeNull()
      expect(sign).toHaveBeenCalledTimes(3)
      await sessions.revokeToken({ tokenId: issued.tokenId })
    } finally {
      sign.mockRestore()
    }
  })

  it('reads its pepper from passwords and validates option ranges', () => {
    expect(() => new ServerSideSessionsConfigFromPasswords({ SERVERPOD_PASSWORD_serverSideSessionKeyHashPepper: secrets.sessionPepper })).not.toThrow()
    expect(() => new ServerSideSessionsConfigFromPasswords({})).toThrow(expect.objectContaining({ code: 'ERR_MISSING_PASSWORD' }))
    expect(() => sessionsConfig({ sessionKeySecretLength: 8 })).toThrow(/sessionKeySecretLength/)
    expect(() => sessionsConfig({ defaultSessionLifetime: 0 })).toThrow(/defaultSessionLifetime/)
  })
})
