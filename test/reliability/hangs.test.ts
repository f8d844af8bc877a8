// Links that hang instead of closing: a half-open line (bytes vanish, nothing is reset), connections that
// stay dead after it returns, a slow line, idle connections reset under the pool, and the server's own
// timeouts. The driver is wired exactly as
// docs/configuration.md prints it; the store's deadline must turn every hang into a typed 503 in bounded time, and
// the app must come back by itself once the line does. Time bounds here are correctness bounds (a
// deadline must hold), with generous margins — not performance measurements.
import { drizzle } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { drizzleTokenStore } from '../../src/drizzle/index.ts'
import { initializeAuthServices, JwtTokenManager, StorageUnavailableError } from '../../src/index.ts'
import { createAuth, sessionsConfig } from '../support/auth.ts'
import { bearer, faultApp, faultFigures, refreshBody } from '../support/fault-app.ts'
import { openFaultyDatabase, type FaultPoint, type FaultyDatabase, type FaultyDriver } from '../support/faulty-database.ts'

const deadlineMs = 1_000
const drivers: FaultyDriver[] = ['node-postgres', 'neon-http']
const figures = faultFigures('hangs')

/** The response and how long it took. */
async function timed(request: () => Response | Promise<Response>): Promise<{ response: Response; ms: number }> {
  const started = performance.now()
  const response = await request()
  return { response, ms: performance.now() - started }
}

/** Polls until `request` answers `status`; returns the time it took, or fails after `withinMs`. */
async function recoversWithin(withinMs: number, request: () => Response | Promise<Response>, status = 200): Promise<number> {
  const started = performance.now()
  for (;;) {
    if ((await request()).status === status) return performance.now() - started
    if (performance.now() - started > withinMs) throw new Error(`no ${status} within ${withinMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe.each(drivers)('hanging links on %s (the documented wiring)', (driver) => {
  let database: FaultyDatabase
  beforeAll(async () => void (database = await openFaultyDatabase(driver, { wiring: 'readme' })))
  afterAll(async () => database?.close())

  const setup = (user: string) => {
    const { auth } = createAuth(database.db, 'multi', { clock: 'database', store: { timeout: deadlineMs } })
    const sessions = createAuth(database.db, 'session', { clock: 'database', store: { timeout: deadlineMs } }).auth
    return { auth, app: faultApp(auth), issue: async () => ({
      pair: await auth.tokenManager.issueToken({ authUserId: user, method: 'email' }),
      session: await sessions.tokenManager.issueToken({ authUserId: user, method: 'email' }),
    }) }
  }

  const points: FaultPoint[] = driver === 'neon-http' ? ['database', 'endpoint'] : ['database']
  it.each(points)('half-open at the %s: 503 + Retry-After within the deadline, JWTs still 200, back within seconds', async (point) => {
    const { app, issue } = setup(`hang-${point}`)
    const { pair, session } = await issue()
    database.setMode('half-open', point)
    try {
      const validation = await timed(() => app.request('/me', bearer(session.token)))
      expect(validation.response.status).toBe(503)
      expect(validation.response.headers.get('retry-after')).toMatch(/^\d+$/)
      expect(validation.ms).toBeLessThan(deadlineMs + 2_000)
      const refresh = await timed(() => app.request('/auth/refresh', refreshBody(pair.refreshToken!)))
      expect(refresh.response.status).toBe(503)
      expect(refresh.ms).toBeLessThan(deadlineMs + 2_000)
      expect((await app.request('/me', bearer(pair.token))).status).toBe(200)
      figures.add('faultsInjected')
      console.log(`${driver}, half-open at the ${point}: 503 after ${Math.round(validation.ms)} ms (session), ${Math.round(refresh.ms)} ms (refresh); deadline ${deadlineMs} ms`)
    } finally {
      database.setMode('open')
    }
    const recoveryMs = await recoversWithin(10_000, () => app.request('/me', bearer(session.token)))
    console.log(`${driver}, half-open at the ${point}: recovered ${Math.round(recoveryMs)} ms after the line came back`)
    // The refresh that hung may have committed: a retry inside the grace window gets the same pair.
    expect((await app.request('/auth/refresh', refreshBody(pair.refreshToken!))).status).toBe(200)
  })

  // The harshest return: the connections that hung stay dead for good (no reset, no byte), only new ones
  // work. More requests than the pool has clients hang meanwhile, so every pooled client is stuck; the
  // driver's own timeouts (query_timeout, documented) must drop them, or the pool never serves again.
  const strandPoint: FaultPoint = driver === 'neon-http' ? 'endpoint' : 'database'
  it(`half-open sockets that never come back (at the ${strandPoint}): dropped, 200 again within seconds`, async () => {
    const { app, issue } = setup('hang-stranded')
    const { session } = await issue()
    const burst = () => Promise.all(Array.from({ length: 12 }, () => timed(() => app.request('/me', bearer(session.token)))))
    await burst() // the pool fills up with open clients, which the hang then catches mid-query
    database.setMode('half-open', strandPoint)
    let strandedCount = 0
    try {
      const during = await burst()
      expect(during.map((r) => r.response.status)).toEqual(Array(12).fill(503))
      expect(Math.max(...during.map((r) => r.ms))).toBeLessThan(deadlineMs + 2_000)
      figures.add('faultsInjected')
    } finally {
      database.setMode('open', strandPoint, { strand: true })
      strandedCount = (strandPoint === 'database' ? database.proxy : database.endpointProxy!).stranded
    }
    expect(strandedCount).toBeGreaterThan(0)
    const recoveryMs = await recoversWithin(12_000, () => app.request('/me', bearer(session.token)))
    console.log(`${driver}, ${strandedCount} connections stranded at the ${strandPoint}: recovered ${Math.round(recoveryMs)} ms after the line came back`)
  })

  it('a line slower than the deadline answers 503; a slow line within it still works', async () => {
    const { app, issue } = setup('hang-slow')
    const { session } = await issue()
    database.proxy.setMode('slow')
    try {
      database.proxy.setDelay(deadlineMs + 500)
      const slow = await timed(() => app.request('/me', bearer(session.token)))
      expect(slow.response.status).toBe(503)
      expect(slow.ms).toBeLessThan(deadlineMs + 2_000)
      database.proxy.setDelay(50)
      await recoversWithin(10_000, () => app.request('/me', bearer(session.token)))
    } finally {
      database.proxy.setDelay(0)
      database.setMode('open')
    }
  })

  it('idle connections reset under the driver: no crash, the next request works', async () => {
    const { app, issue } = setup('hang-reset')
    const { session } = await issue()
    expect((await app.request('/me', bearer(session.token))).status).toBe(200)
    await new Promise((resolve) => setTimeout(resolve, 100)) // the pool's clients are idle now
    const errorsBefore = database.poolErrors
    database.proxy.resetAll()
    await new Promise((resolve) => setTimeout(resolve, 100))
    // The reset reached idle pooled clients: without the documented 'error' listener this crashes the process.
    if (driver === 'node-postgres') expect(database.poolErrors).toBeGreaterThan(errorsBefore)
    const recoveryMs = await recoversWithin(5_000, () => app.request('/me', bearer(session.token)))
    console.log(`${driver}, idle connections reset: next 200 after ${Math.round(recoveryMs)} ms`)
  })
})

describe("the server's own timeouts are 'retry later', not 'rejected'", () => {
  let database: FaultyDatabase
  let locker: pg.Client
  beforeAll(async () => {
    database = await openFaultyDatabase('node-postgres')
    locker = new pg.Client({ connectionString: database.url })
    await locker.connect()
  })
  afterAll(async () => {
    await locker?.end()
    await database?.close()
  })

  // A session row held by another transaction, and a pool whose sessions give up waiting for it.
  it.each([['lock_timeout', '55P03'], ['statement_timeout', '57014']])('%s (SQLSTATE %s) → StorageUnavailableError', async (setting, sqlState) => {
    const pool = new pg.Pool({ connectionString: database.url, options: `-c ${setting}=200` })
    pool.on('error', () => {})
    try {
      const auth = initializeAuthServices({ store: drizzleTokenStore(drizzle(pool)), tokenManagerBuilders: [sessionsConfig()] })
      const session = await auth.tokenManager.issueToken({ authUserId: `timeout-${setting}`, method: 'email' })
      await locker.query('begin')
      await locker.query('select 1 from auth_session where id = $1 for update', [session.tokenId])
      const error = await auth.tokenManager.revokeToken({ tokenId: session.tokenId }).then(() => null, (e: unknown) => e)
      await locker.query('rollback')
      expect(error).toBeInstanceOf(StorageUnavailableError)
      expect((error as StorageUnavailableError).cause).toMatchObject({ code: sqlState })
      // Once the lock is gone the same call goes through.
      await auth.tokenManager.revokeToken({ tokenId: session.tokenId })
      expect(await auth.tokenManager.validateToken(session.token)).toBeNull()
    } finally {
      await pool.end()
    }
  })

  it('the JWT manager is unaffected by a store that hangs', async () => {
    const { auth } = createAuth(database.db, 'jwt', { store: { timeout: deadlineMs } })
    const pair = await auth.tokenManager.issueToken({ authUserId: 'timeout-jwt', method: 'email' })
    database.setMode('half-open')
    try {
      expect(await auth.tokenManager.validateToken(pair.token)).toMatchObject({ userIdentifier: 'timeout-jwt' })
      await expect(auth.getTokenManager(JwtTokenManager).refreshAccessToken(pair.refreshToken!)).rejects.toBeInstanceOf(StorageUnavailableError)
    } finally {
      database.setMode('open')
    }
  })
})
