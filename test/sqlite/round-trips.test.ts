// The storage budget on D1, counted at the binding (every statement run and every batch is one request to
// the database): session validate 1, issue with callback writes 1, refresh 1 (a replay: 3), list 1, revoke 1.
import { drizzle } from 'drizzle-orm/d1'
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { initializeAuthServices, JwtTokenManager, ServerSideSessionsTokenManager } from '../../src/index.ts'
import { sqliteTokenStore } from '../../src/sqlite/index.ts'
import { jwtConfig, sessionsConfig, testClock } from '../support/auth.ts'
import { countedD1 } from '../support/d1-counter.ts'
import { openSqliteDatabase, type OpenSqliteDatabase } from '../support/drivers.ts'

let database: OpenSqliteDatabase
let requests = 0
const counts = new Map<string, number>()

beforeAll(async () => {
  database = await openSqliteDatabase('d1')
  await database.query('create table rt_token_metadata (id integer primary key autoincrement, token_id text not null, device_name text)')
  const db = drizzle(countedD1(database.d1!, () => requests++))
  const metadata = sqliteTable('rt_token_metadata', { id: integer('id').primaryKey(), tokenId: text('token_id').notNull(), deviceName: text('device_name') })
  const withMetadata = ({ refreshTokenId, sessionId }: { refreshTokenId?: string; sessionId?: string }) =>
    [db.insert(metadata).values({ tokenId: (refreshTokenId ?? sessionId)!, deviceName: 'bench' })]
  const clock = testClock()
  const auth = initializeAuthServices({
    store: sqliteTokenStore(db),
    clock,
    tokenManagerBuilders: [jwtConfig({ onRefreshTokenCreated: withMetadata }), sessionsConfig({ onSessionCreated: withMetadata, lastUsedAtUpdateInterval: '1m' })],
  })
  await auth.ready
  const jwt = auth.getTokenManager(JwtTokenManager)
  const sessions = auth.getTokenManager(ServerSideSessionsTokenManager)
  const record = async <T>(operation: string, run: () => Promise<T>): Promise<T> => {
    requests = 0
    const result = await run()
    counts.set(operation, requests)
    return result
  }
  const issued = await record('JWT issue (with onRefreshTokenCreated write)', () => jwt.issueToken({ authUserId: 'u1', method: 'email' }))
  const session = await record('session issue (with onSessionCreated write)', () => sessions.issueToken({ authUserId: 'u1', method: 'email' }))
  expect(await record('session validate (lastUsedAt fresh)', () => sessions.validateToken(session.token))).not.toBeNull()
  clock.advance(61_000)
  expect(await record('session validate (lastUsedAt due: + throttled write)', () => sessions.validateToken(session.token))).not.toBeNull()
  const refreshed = await record('JWT refresh', () => jwt.refreshAccessToken(issued.refreshToken!))
  await record('JWT refresh retry within grace window', () => jwt.refreshAccessToken(issued.refreshToken!))
  await record('JWT refresh with the new token', () => jwt.refreshAccessToken(refreshed.refreshToken!))
  clock.advance(11_000) // past the grace window: the first secret is now a replay
  const replay = await record('JWT refresh of a replayed secret (read, then revoke the family)', () => jwt.refreshAccessToken(issued.refreshToken!).catch((e: Error) => e))
  expect(replay).toMatchObject({ code: 'ERR_REFRESH_TOKEN_REUSED' })
  await record('JWT list', () => jwt.listTokens({ authUserId: 'u1' }))
  await record('session list', () => sessions.listTokens({ authUserId: 'u1' }))
  await record('session revoke', () => sessions.revokeToken({ tokenId: session.tokenId }))
  expect(await record('session validate (revoked)', () => sessions.validateToken(session.token))).toBeNull()
  await record('JWT revokeAll', () => jwt.revokeAllTokens({ authUserId: 'u1' }))
  await record('session revokeAll', () => sessions.revokeAllTokens({ authUserId: 'u1' }))
  const [{ n }] = (await database.query('select count(*) as n from rt_token_metadata')) as [{ n: number }]
  expect(n).toBe(2) // the callback writes really ran, inside the issue's one batch
})
afterAll(async () => database?.close())

const budget: [string, number, 'at most' | 'exactly'][] = [
  ['JWT issue (with onRefreshTokenCreated write)', 1, 'exactly'],
  ['session issue (with onSessionCreated write)', 1, 'exactly'],
  ['session validate (lastUsedAt fresh)', 1, 'exactly'],
  ['session validate (lastUsedAt due: + throttled write)', 2, 'exactly'],
  ['session validate (revoked)', 1, 'exactly'],
  ['JWT refresh', 1, 'exactly'],
  ['JWT refresh retry within grace window', 1, 'exactly'],
  ['JWT refresh with the new token', 1, 'exactly'],
  ['JWT refresh of a replayed secret (read, then revoke the family)', 3, 'exactly'],
  ['JWT list', 1, 'at most'],
  ['session list', 1, 'at most'],
  ['session revoke', 1, 'at most'],
  ['JWT revokeAll', 1, 'at most'],
  ['session revokeAll', 1, 'at most'],
]

it.each(budget)('D1: %s takes %i request(s) (%s)', (operation, expected, kind) => {
  const measured = counts.get(operation)
  if (kind === 'exactly') expect(measured).toBe(expected)
  else expect(measured).toBeLessThanOrEqual(expected)
})
