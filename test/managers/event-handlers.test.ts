// A handler that throws, rejects or never settles changes no auth answer, and is reported once, not per
// event. The same scripted session of sign-ins, validations, refreshes, a reuse, an expiry and revocations
// runs without events and with each bad handler; the answers must match exactly. On the local Postgres
// server and on SQLite (better-sqlite3).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { drizzleTokenStore } from '../../src/drizzle/index.ts'
import { EdgeTokenError, initializeAuthServices, JwtTokenManager, ServerSideSessionsTokenManager, type AuthEventHandler } from '../../src/index.ts'
import { minutes, withWrongSecret } from '../conformance/fixtures.ts'
import { jwtConfig, sessionsConfig, testClock } from '../support/auth.ts'
import { sqliteTokenStore } from '../../src/sqlite/index.ts'
import type { TokenStore } from '../../src/index.ts'
import { openDatabase, openSqliteDatabase, type OpenDatabase, type OpenSqliteDatabase } from '../support/drivers.ts'

let database: OpenDatabase
let sqlite: OpenSqliteDatabase
beforeAll(async () => {
  ;[database, sqlite] = await Promise.all([openDatabase('node-postgres'), openSqliteDatabase('better-sqlite3')])
})
afterAll(async () => Promise.all([database?.close(), sqlite?.close()]))

const stores: Record<string, () => TokenStore<any>> = {
  postgres: () => drizzleTokenStore(database.db),
  sqlite: () => sqliteTokenStore(sqlite.db),
}

/** Every answer of the script, with what differs between runs (tokens, ids, jti) replaced by its shape. */
async function script(onEvent: AuthEventHandler | undefined, user: string, store: TokenStore<any>) {
  const clock = testClock()
  const auth = initializeAuthServices({
    store,
    tokenManagerBuilders: [jwtConfig(), sessionsConfig({ defaultSessionInactivityTimeout: '1h' })],
    clock,
    ...(onEvent && { onEvent }),
  })
  const jwt = auth.getTokenManager(JwtTokenManager)
  const sessions = auth.getTokenManager(ServerSideSessionsTokenManager)
  const answers: unknown[] = []
  const record = async (step: string, run: () => Promise<unknown>) => {
    try {
      const value = await run()
      answers.push([step, 'ok', JSON.parse(JSON.stringify(value ?? null), (key, v) => (['token', 'refreshToken', 'tokenId', 'jwtRefreshTokenId', 'authId'].includes(key) && typeof v === 'string' ? `<${key}>` : v))])
    } catch (error) {
      answers.push([step, 'threw', error instanceof EdgeTokenError ? error.code : String(error)])
    }
  }
  const signedIn = await auth.tokenManager.issueToken({ authUserId: user, method: 'email', scopes: ['a'] })
  const session = await sessions.issueToken({ authUserId: user, method: 'email' })
  await record('validate jwt', () => auth.tokenManager.validateToken(signedIn.token))
  await record('validate session', () => auth.tokenManager.validateToken(session.token))
  await record('validate garbage', () => auth.tokenManager.validateToken('garbage'))
  await record('validate wrong secret', () => auth.tokenManager.validateToken(withWrongSecret(session.token)))
  await record('refresh', () => jwt.refreshAccessToken(signedIn.refreshToken!))
  await record('grace retry', () => jwt.refreshAccessToken(signedIn.refreshToken!))
  clock.advance(minutes(2))
  await record('reuse', () => jwt.refreshAccessToken(signedIn.refreshToken!))
  clock.advance(minutes(120))
  await record('expired session', () => auth.tokenManager.validateToken(session.token))
  await record('expired jwt', () => auth.tokenManager.validateToken(signedIn.token))
  const again = await auth.tokenManager.issueToken({ authUserId: user, method: 'email' })
  await record('revoke', () => auth.tokenManager.revokeToken({ tokenId: again.tokenId, reason: 'sign-out' }))
  await record('revoke all', () => auth.tokenManager.revokeAllTokens({ authUserId: user, reason: 'sign-out-all' }))
  await record('list', () => auth.tokenManager.listTokens({ authUserId: user }))
  return { answers, auth }
}

const badHandlers: Record<string, AuthEventHandler> = {
  throws: () => {
    throw new Error('handler bug')
  },
  rejects: async () => {
    throw new TypeError('pipeline down')
  },
  'never settles': () => new Promise(() => {}),
  'throws a non-Error': () => {
    throw 'a string' // eslint-disable-line no-throw-literal
  },
}

describe('a failing onEvent handler', () => {
  const cases = Object.keys(stores).flatMap((backend) => Object.keys(badHandlers).map((kind) => [backend, kind] as const))
  it.each(cases)('on %s, one that %s leaves every answer unchanged and is reported once', async (backend, kind) => {
    const store = stores[backend]!()
    const expected = (await script(undefined, `plain-${kind}`, store)).answers.map(([step, how, value]: any) => [step, how, JSON.parse(JSON.stringify(value).replaceAll(`plain-${kind}`, `evented-${kind}`))])
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      let calls = 0
      const handler = badHandlers[kind]!
      const { answers, auth } = await script((event) => (calls++, handler(event)), `evented-${kind}`, store)
      expect(answers).toEqual(expected)
      // Delivery happened (the handler ran for every event), yet only one line was written.
      if (kind !== 'never settles') await auth.events.settled()
      else await new Promise((resolve) => setTimeout(resolve, 50))
      expect(calls).toBeGreaterThanOrEqual(10)
      if (kind !== 'never settles') {
        expect(warn).toHaveBeenCalledTimes(1)
        expect(String(warn.mock.calls[0]![0])).toMatch(/onEvent handler .*failed/)
      }
    } finally {
      warn.mockRestore()
    }
  })

  it('a hung handler is reported once when its deadline passes, and settled() then resolves', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      const auth = initializeAuthServices({ store: drizzleTokenStore(database.db), tokenManagerBuilders: [sessionsConfig()], onEvent: () => new Promise(() => {}) })
      await auth.tokenManager.validateToken('garbage')
      await auth.tokenManager.validateToken('more garbage')
      let settled = false
      void auth.events.settled().then(() => (settled = true))
      await vi.advanceTimersByTimeAsync(9_000)
      expect(settled).toBe(false)
      await vi.advanceTimersByTimeAsync(2_000)
      expect(settled).toBe(true)
      expect(warn).toHaveBeenCalledTimes(1)
      expect(String(warn.mock.calls[0]![0])).toMatch(/did not settle within 10 s/)
    } finally {
      warn.mockRestore()
      vi.useRealTimers()
    }
  })

  it('onEvent must be a function', () => {
    expect(() => initializeAuthServices({ store: drizzleTokenStore(database.db), tokenManagerBuilders: [sessionsConfig()], onEvent: 'log' as never })).toThrow(/onEvent/)
  })
})
