// Round trips per operation in serverpodStore mode, counted like the default mode's (test/support/round-trips.ts):
// the data behind test/serverpod/round-trips.test.ts and the bench table. Issue and refresh read the user
// from Serverpod's table, as Serverpod does.
import { sql } from 'drizzle-orm'
import { initializeAuthServices, JwtAlgorithm, JwtConfig, JwtTokenManager, ServerSideSessionsConfig, ServerSideSessionsTokenManager } from '../../src/index.ts'
import { serverpodStore } from '../../src/serverpod/index.ts'
import type { CountedDatabase, OperationCount } from '../support/round-trips.ts'

export async function measureServerpodRoundTrips(database: CountedDatabase): Promise<OperationCount[]> {
  const { db, count } = database
  let now = Date.parse('2026-06-01T12:00:00Z')
  const auth = initializeAuthServices({
    store: serverpodStore(db, { argon2: { memory: 64, iterations: 1, lanes: 1 } }), // cost is measured separately
    clock: () => new Date(now),
    tokenManagerBuilders: [
      new JwtConfig({ algorithm: JwtAlgorithm.hmacSha512('round-trips-hmac-key-0123456789abcdef0123456789abcdef'), refreshTokenHashPepper: 'round-trips-pepper' }),
      new ServerSideSessionsConfig({ sessionKeyHashPepper: 'round-trips-session-pepper' }),
    ],
  })
  await auth.ready
  const jwt = auth.getTokenManager(JwtTokenManager)
  const sessions = auth.getTokenManager(ServerSideSessionsTokenManager)
  const user = crypto.randomUUID()
  await db.execute(sql`insert into serverpod_auth_core_user (id, "createdAt", "scopeNames", blocked) values (${user}, now(), '[]'::json, false)`)
  const rows: OperationCount[] = []
  const record = async <T>(operation: string, run: () => Promise<T>): Promise<T> => {
    const { result, roundTrips, waves } = await count(run)
    rows.push({ operation, roundTrips, waves })
    return result
  }

  const issued = await record('JWT issue (user read + insert)', () => jwt.issueToken({ authUserId: user, method: 'email' }))
  await record('JWT validate', () => jwt.validateToken(issued.token))
  const session = await record('session issue (user read + insert)', () => sessions.issueToken({ authUserId: user, method: 'email' }))
  await record('session validate (lastUsedAt fresh)', () => sessions.validateToken(session.token))
  now += 61_000
  await record('session validate (lastUsedAt due: + throttled write)', () => sessions.validateToken(session.token))
  await record('JWT refresh (read + user + compare-and-swap)', () => jwt.refreshAccessToken(issued.refreshToken!))
  await record('JWT refresh retry within grace window', () => jwt.refreshAccessToken(issued.refreshToken!))
  await record('JWT list', () => jwt.listTokens({ authUserId: user }))
  await record('session list', () => sessions.listTokens({ authUserId: user }))
  await record('session revoke', () => sessions.revokeToken({ tokenId: session.tokenId }))
  await record('JWT revokeAll', () => jwt.revokeAllTokens({ authUserId: user }))
  await record('multi revokeAll (JWT + sessions)', () => auth.tokenManager.revokeAllTokens({ authUserId: user }))
  await db.execute(sql`delete from serverpod_auth_core_user where id = ${user}`)
  return rows
}
