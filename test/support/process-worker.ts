// One app server in its own process, for the multi-process tests: its own clock (really skewed: `Date`
// itself is offset, as on a machine whose clock is wrong), its own connection pool, the library in
// production mode (no injected clock). It answers commands from the parent over IPC; see processes.ts.
import { neon, neonConfig } from '@neondatabase/serverless'
import { drizzle as drizzleNeonHttp } from 'drizzle-orm/neon-http'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import { EdgeTokenError, initializeAuthServices, type AuthEvent, JwtTokenManager, ServerSideSessionsTokenManager } from '../../src/index.ts'
import { serverpodStore } from '../../src/serverpod/index.ts'
import { createAuth, jwtConfig, sessionsConfig } from './auth.ts'
import type { WorkerCommand, WorkerConfig, WorkerReply } from './processes.ts'

const config = JSON.parse(process.env.WORKER_CONFIG!) as WorkerConfig

// A machine whose clock is off: every `new Date()` and `Date.now()` in this process, the library's included.
if (config.clockOffsetMs) {
  const RealDate = Date
  const offset = config.clockOffsetMs
  globalThis.Date = class extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(RealDate.now() + offset)
      else super(...(args as [number]))
    }
    static override now() {
      return RealDate.now() + offset
    }
  } as DateConstructor
}

let sqliteDb
let db
if (config.driver === 'better-sqlite3') {
  // One SQLite file shared by every process (`databaseUrl` is its path): WAL, and writers wait for each other.
  // Loaded only here, so the Postgres workers start as fast as before.
  const { default: BetterSqlite3 } = await import('better-sqlite3')
  const { drizzle } = await import('drizzle-orm/better-sqlite3')
  const client = new BetterSqlite3(config.databaseUrl, { timeout: 10_000 })
  client.pragma('journal_mode = WAL')
  sqliteDb = drizzle(client)
} else if (config.driver === 'neon-http') {
  neonConfig.fetchEndpoint = () => config.neonEndpoint!
  db = drizzleNeonHttp(neon(config.databaseUrl))
} else {
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 10 })
  pool.on('error', () => {})
  db = drizzlePg(pool)
}
const timeout = config.storeTimeoutMs ?? 5_000
// Every event this process emits, for the parent to collect ('events').
let events: AuthEvent[] = []
const onEvent = (event: AuthEvent) => void events.push(event)
const auth = sqliteDb
  ? initializeAuthServices({ store: (await import('../../src/sqlite/index.ts')).sqliteTokenStore(sqliteDb, { timeout }), tokenManagerBuilders: [jwtConfig(config.jwt), sessionsConfig(config.session)], onEvent })
  : config.store === 'serverpod'
  ? initializeAuthServices({
    store: serverpodStore(db!, { timeout, ...(config.argon2 && { argon2: config.argon2 }) }),
    tokenManagerBuilders: [jwtConfig(config.jwt), sessionsConfig(config.session)],
    onEvent,
  })
  : createAuth(db!, 'multi', { clock: 'database', jwt: config.jwt ?? {}, session: config.session ?? {}, store: { timeout }, onEvent }).auth
const jwt = auth.getTokenManager(JwtTokenManager)
const sessions = auth.getTokenManager(ServerSideSessionsTokenManager)

/** Real time (not the skewed `Date`): the parent's "go at" instants are on the real clock. */
const realNow = () => performance.timeOrigin + performance.now()

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Validates the session tokens over and over until each is rejected. For each: when the last validation
 * that still accepted it began, and when it was first rejected (real clock). Start times, not end times:
 * a stalled event loop delays answers, but accepts nothing new while it stalls.
 */
async function watch(tokens: string[], timeoutMs: number): Promise<{ lastAcceptedAt: (number | null)[]; rejectedAt: (number | null)[] }> {
  const lastAcceptedAt: (number | null)[] = tokens.map(() => null)
  const rejectedAt: (number | null)[] = tokens.map(() => null)
  const deadline = realNow() + timeoutMs
  let remaining = tokens.map((_, i) => i)
  while (remaining.length > 0 && realNow() < deadline) {
    await Promise.all(remaining.map(async (i) => {
      const startedAt = realNow()
      if ((await sessions.validateToken(tokens[i]!)) === null) rejectedAt[i] = realNow()
      else lastAcceptedAt[i] = startedAt
    }))
    remaining = remaining.filter((i) => rejectedAt[i] === null)
    await sleep(2)
  }
  return { lastAcceptedAt, rejectedAt }
}

async function run(command: WorkerCommand): Promise<unknown> {
  if (command.at !== undefined) await new Promise((resolve) => setTimeout(resolve, Math.max(0, command.at! - realNow())))
  switch (command.op) {
    case 'issue':
      return (command.kind === 'session' ? sessions : auth.tokenManager).issueToken({ authUserId: command.authUserId, method: 'email' })
    case 'refresh':
      return Promise.all(command.tokens.map((token) => jwt.refreshAccessToken(token, { context: { process: process.pid } }).then(
        (pair) => ({ ok: true as const, refreshToken: pair.refreshToken }),
        (error: unknown) => ({ ok: false as const, code: error instanceof EdgeTokenError ? error.code : String(error) }),
      )))
    case 'validate':
      return auth.tokenManager.validateToken(command.token)
    case 'validateAll':
      return (await Promise.all(command.tokens.map((token) => sessions.validateToken(token)))).filter(Boolean).length
    case 'watch':
      return watch(command.tokens, command.timeoutMs)
    case 'revokeEach': {
      const revokedAt: number[] = []
      for (const tokenId of command.tokenIds) {
        await sessions.revokeToken({ tokenId })
        revokedAt.push(realNow())
        await sleep(command.gapMs)
      }
      return revokedAt
    }
    case 'ping':
      return realNow()
    case 'events': {
      await auth.events.settled()
      const delivered = events
      events = []
      return delivered
    }
  }
}

process.on('message', (command: WorkerCommand) => {
  run(command).then(
    (value) => process.send!({ id: command.id, ok: true, value: JSON.parse(JSON.stringify(value ?? null)) } satisfies WorkerReply),
    (error: unknown) => process.send!({ id: command.id, ok: false, error: error instanceof EdgeTokenError ? error.code : String(error) } satisfies WorkerReply),
  )
})
// The parent went away (or the test ended): never outlive it. And a hard bound, should the parent hang.
process.on('disconnect', () => process.exit(0))
setTimeout(() => process.exit(1), config.lifetimeMs ?? 180_000).unref()
process.send!({ id: 0, ok: true, value: 'ready' } satisfies WorkerReply)
