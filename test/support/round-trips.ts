// Counts database round trips per library operation, on a real Postgres: every query node-postgres sends
// (each pooled client's `query` is wrapped; Pool#query goes through one) and every HTTP request the Neon
// driver makes to the local SQL-over-HTTP endpoint (a counting `neonConfig.fetchFunction`). "Waves" are
// round trips of latency: requests that overlap in time (Promise.all across managers) count once.
import { neon, neonConfig } from '@neondatabase/serverless'
import { sql } from 'drizzle-orm'
import { pgTable, serial, text, uuid } from 'drizzle-orm/pg-core'
import { drizzle as drizzleNeonHttp } from 'drizzle-orm/neon-http'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import { startNeonHttpServer } from '../../scripts/neon-http/server.ts'
import { authSession, type AnyPgDatabase } from '../../src/drizzle/index.ts'
import { JwtTokenManager, ServerSideSessionsTokenManager } from '../../src/index.ts'
import { createAuth, testClock } from './auth.ts'
import { createServerDatabase } from './postgres.ts'

export const countedDrivers = ['node-postgres', 'neon-http'] as const
export type CountedDriver = (typeof countedDrivers)[number]

export interface Counted<T> {
  result: T
  /** Requests sent to the database (queries on node-postgres, HTTP requests on neon-http). */
  roundTrips: number
  /** Round trips of latency: overlapping requests count once. */
  waves: number
}

export interface CountedDatabase {
  driver: CountedDriver
  db: AnyPgDatabase
  count<T>(operation: () => Promise<T>): Promise<Counted<T>>
  close(): Promise<void>
}

function counter() {
  let roundTrips = 0
  let waves = 0
  let inFlight = 0
  return {
    async track<T>(request: () => Promise<T>): Promise<T> {
      roundTrips++
      if (inFlight++ === 0) waves++
      try {
        return await request()
      } finally {
        inFlight--
      }
    },
    async count<T>(operation: () => Promise<T>): Promise<Counted<T>> {
      ;[roundTrips, waves] = [0, 0]
      const result = await operation()
      return { result, roundTrips, waves }
    },
  }
}

/** A fresh migrated database on the local server, reached through `driver`, with every round trip counted. */
export async function openCountedDatabase(driver: CountedDriver, options: { serverpod?: boolean } = {}): Promise<CountedDatabase> {
  const database = await createServerDatabase(`rt_${driver}`, options)
  const tally = counter()
  if (driver === 'node-postgres') {
    const pool = new pg.Pool({ connectionString: database.url, max: 10 })
    pool.on('error', () => {})
    pool.on('connect', (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>
      client.query = ((...args: unknown[]) => tally.track(() => query(...args))) as typeof client.query
    })
    // A warm pool, as on a running server: concurrent queries then start at once instead of one of them
    // waiting for a new connection (which would read as an extra wave).
    await Promise.all(Array.from({ length: 4 }, () => pool.query('select 1')))
    return {
      driver, db: drizzlePg(pool), count: tally.count,
      close: async () => {
        await pool.end()
        await database.drop()
      },
    }
  }
  const endpoint = await startNeonHttpServer({ port: 0 })
  const previous = { endpoint: neonConfig.fetchEndpoint, fetch: neonConfig.fetchFunction }
  neonConfig.fetchEndpoint = () => endpoint.url
  neonConfig.fetchFunction = (url: string, init: RequestInit) => tally.track(() => fetch(url, init))
  return {
    driver, db: drizzleNeonHttp(neon(database.url)), count: tally.count,
    close: async () => {
      neonConfig.fetchEndpoint = previous.endpoint
      neonConfig.fetchFunction = previous.fetch
      await endpoint.close()
      await database.drop()
    },
  }
}

const tokenMetadata = pgTable('rt_token_metadata', {
  id: serial('id').primaryKey(),
  tokenId: uuid('token_id').notNull(),
  deviceName: text('device_name'),
})

export interface OperationCount {
  operation: string
  roundTrips: number
  waves: number
}

/**
 * Runs each library operation once on a counted database and reports its round trips: the data behind
 * the budget test and the README table. Managers are warmed (keys imported) before counting.
 */
export async function measureRoundTrips(database: CountedDatabase): Promise<OperationCount[]> {
  const { db, count } = database
  await db.execute(sql`create table if not exists rt_token_metadata (id serial primary key, token_id uuid not null, device_name text)`)
  const clock = testClock()
  const withMetadata = ({ refreshTokenId, sessionId }: { refreshTokenId?: string; sessionId?: string }) =>
    [db.insert(tokenMetadata).values({ tokenId: (refreshTokenId ?? sessionId)!, deviceName: 'bench' })]
  const { auth } = createAuth(db, 'multi', {
    clock,
    jwt: { onRefreshTokenCreated: withMetadata },
    session: { onSessionCreated: withMetadata, lastUsedAtUpdateInterval: '1m' },
  })
  await auth.ready
  const jwt = auth.getTokenManager(JwtTokenManager)
  const sessions = auth.getTokenManager(ServerSideSessionsTokenManager)
  const rows: OperationCount[] = []
  const record = async <T>(operation: string, run: () => Promise<T>, expectNull = false): Promise<T> => {
    const { result, roundTrips, waves } = await count(run)
    // A count is only meaningful for the operation's real outcome, not for an early failure.
    if (operation.includes('validate') && (result === null) !== expectNull) throw new Error(`${operation}: unexpected result ${JSON.stringify(result)}`)
    rows.push({ operation, roundTrips, waves })
    return result
  }

  const issued = await record('JWT issue (with onRefreshTokenCreated write)', () => jwt.issueToken({ authUserId: 'u1', method: 'email' }))
  await record('JWT validate', () => jwt.validateToken(issued.token))
  const session = await record('session issue (with onSessionCreated write)', () => sessions.issueToken({ authUserId: 'u1', method: 'email' }))
  await record('session validate (lastUsedAt fresh)', () => sessions.validateToken(session.token))
  clock.advance(61_000)
  await record('session validate (lastUsedAt due: + throttled write)', () => sessions.validateToken(session.token))
  clock.advance(61_000)
  const deferred: Promise<unknown>[] = []
  await record('session validate (lastUsedAt due, write via waitUntil)', async () => {
    const info = await sessions.validateToken(session.token, { waitUntil: (p) => deferred.push(p) })
    await Promise.all(deferred)
    return info
  })
  const refreshed = await record('JWT refresh', () => jwt.refreshAccessToken(issued.refreshToken!))
  await record('JWT refresh retry within grace window', () => jwt.refreshAccessToken(issued.refreshToken!))
  const latest = await record('JWT refresh with the new token', () => jwt.refreshAccessToken(refreshed.refreshToken!))
  clock.advance(11_000) // past the grace window: the first secret is now a replay
  await record('JWT refresh of a replayed secret (read, then revoke the family)', () => jwt.refreshAccessToken(issued.refreshToken!).catch((e: Error) => e))
  await record('multi validate (JWT)', () => auth.tokenManager.validateToken(latest.token))
  await record('multi validate (session, fresh)', () => auth.tokenManager.validateToken(session.token))
  await record('JWT list', () => jwt.listTokens({ authUserId: 'u1' }))
  await record('session list', () => sessions.listTokens({ authUserId: 'u1' }))
  await record('multi list (JWT + sessions)', () => auth.tokenManager.listTokens({ authUserId: 'u1' }))
  await record('session revoke', () => sessions.revokeToken({ tokenId: session.tokenId }))
  await record('JWT revokeAll', () => jwt.revokeAllTokens({ authUserId: 'u1' }))
  await record('session revokeAll', () => sessions.revokeAllTokens({ authUserId: 'u1' }))
  await record('multi revokeAll (JWT + sessions)', () => auth.tokenManager.revokeAllTokens({ authUserId: 'u1' }))
  // The session row was revoked: a validation that finds nothing still costs its one lookup.
  await record('session validate (revoked)', () => sessions.validateToken(session.token), true)
  await db.delete(authSession)
  return rows
}
