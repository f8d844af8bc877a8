// A storage failure is never silent: by default the store logs its cause once (the driver's message and
// code, never a secret, token, hash or query parameter), on a wrong DATABASE_URL, a missing table, an
// unreachable endpoint; an app's `logger` replaces the console. Real drivers, real failures.
import { PGlite } from '@electric-sql/pglite'
import { neon, neonConfig } from '@neondatabase/serverless'
import { drizzle as drizzleNeonHttp } from 'drizzle-orm/neon-http'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { createServer } from 'node:net'
import pg from 'pg'
import { afterEach, beforeEach, expect, it, vi, type MockInstance } from 'vitest'
import { drizzleTokenStore, type AnyPgDatabase, type StoreLogger } from '../../src/drizzle/index.ts'
import { initializeAuthServices, StorageError, StorageUnavailableError } from '../../src/index.ts'
import { encodeSessionToken } from '../../src/managers/session-token.ts'
import { jwtConfig, secrets, sessionsConfig } from '../support/auth.ts'
import { serverUrl } from '../support/postgres.ts'

const password = 'pa55-w0rd-never-logged'
let consoleError: MockInstance<typeof console.error>
beforeEach(() => {
  consoleError = vi.spyOn(console, 'error').mockImplementation(() => {})
})
afterEach(() => consoleError.mockRestore())

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

function withUrl(change: (url: URL) => void): string {
  const url = new URL(serverUrl)
  change(url)
  return url.toString()
}

/** Issues, refreshes and validates through a store on `db`: each storage call fails the same way. */
async function failEverything(db: AnyPgDatabase, logger?: StoreLogger) {
  const auth = initializeAuthServices({ store: drizzleTokenStore(db, { timeout: '3s', ...(logger && { logger }) }), tokenManagerBuilders: [jwtConfig(), sessionsConfig()] })
  const failures: unknown[] = []
  const attempt = (run: () => Promise<unknown>) => run().then(() => failures.push('no failure'), (error) => failures.push(error))
  await attempt(() => auth.tokenManager.issueToken({ authUserId: 'log-user', method: 'email' }))
  await attempt(() => auth.tokenManager.issueToken({ authUserId: 'log-user', method: 'email' }))
  // A well-formed session token (unknown id and secret): the manager looks it up, so it reaches the store.
  const sessionToken = encodeSessionToken(crypto.randomUUID(), crypto.getRandomValues(new Uint8Array(32)))
  await attempt(() => auth.tokenManager.validateToken(sessionToken))
  await attempt(() => auth.tokenManager.validateToken(sessionToken))
  return failures
}

/** Every line the console got, as text. */
const lines = () => consoleError.mock.calls.map((call) => call.map(String).join(' '))

function expectSafe(line: string) {
  for (const secret of [password, secrets.refreshPepper, secrets.sessionPepper, secrets.hmac]) expect(line).not.toContain(secret)
  expect(line).not.toMatch(/[0-9a-f]{32}/i) // no hash in hex
  expect(line).not.toMatch(/params:|Failed query/)
}

it('a wrong DATABASE_URL (no such database): one line with the SQLSTATE and the driver message, no password', async () => {
  const pool = new pg.Pool({ connectionString: withUrl((u) => { u.password = password; u.pathname = '/etm_no_such_database' }) })
  pool.on('error', () => {})
  try {
    const failures = await failEverything(drizzlePg(pool))
    expect(failures.every((f) => f instanceof StorageError || f instanceof StorageUnavailableError)).toBe(true)
  } finally {
    await pool.end()
  }
  expect(lines()).toHaveLength(1)
  expect(lines()[0]).toMatch(/^edge-token-managers: token store failed \(ERR_STORAGE\): error: database "etm_no_such_database" does not exist \[3D000\]$/)
  expectSafe(lines()[0]!)
})

it('an unreachable server: one line naming the refused connection, not a bare timeout', async () => {
  const port = await closedPort()
  const pool = new pg.Pool({ connectionString: withUrl((u) => { u.password = password; u.port = String(port) }) })
  pool.on('error', () => {})
  try {
    await failEverything(drizzlePg(pool))
  } finally {
    await pool.end()
  }
  expect(lines()).toHaveLength(1)
  expect(lines()[0]).toContain('(ERR_STORAGE_UNAVAILABLE)')
  expect(lines()[0]).toContain(`ECONNREFUSED 127.0.0.1:${port}`)
  expectSafe(lines()[0]!)
})

it('a missing table on PGlite: one line with the missing relation and its SQLSTATE', async () => {
  const client = new PGlite()
  try {
    await failEverything(drizzlePglite(client))
  } finally {
    await client.close()
  }
  expect(lines()).toEqual(['edge-token-managers: token store failed (ERR_STORAGE): error: relation "auth_refresh_token" does not exist [42P01]', expect.stringContaining('"auth_session" does not exist [42P01]')])
  lines().forEach(expectSafe)
})

it('an unreachable SQL-over-HTTP endpoint (neon-http): one line with the fetch failure, no connection string', async () => {
  const port = await closedPort()
  const previous = neonConfig.fetchEndpoint
  neonConfig.fetchEndpoint = () => `http://127.0.0.1:${port}/sql`
  try {
    await failEverything(drizzleNeonHttp(neon(withUrl((u) => { u.password = password }))))
  } finally {
    neonConfig.fetchEndpoint = previous
  }
  expect(lines()).toHaveLength(1)
  expect(lines()[0]).toMatch(/\(ERR_STORAGE_UNAVAILABLE\): .*fetch failed|ECONNREFUSED/)
  expectSafe(lines()[0]!)
})

it('a custom logger replaces the console and gets the typed code, the driver code and the safe cause', async () => {
  const client = new PGlite()
  const calls: [string, unknown][] = []
  const logger: StoreLogger = { error: (message, details) => calls.push([message, details]) }
  try {
    await failEverything(drizzlePglite(client), logger)
  } finally {
    await client.close()
  }
  expect(consoleError).not.toHaveBeenCalled()
  expect(calls).toHaveLength(2)
  expect(calls[0]![0]).toContain('relation "auth_refresh_token" does not exist')
  expect(calls[0]![1]).toMatchObject({ code: 'ERR_STORAGE', driverCode: '42P01', cause: expect.objectContaining({ message: 'relation "auth_refresh_token" does not exist' }) })
})

it('a logger that throws changes nothing: the caller still gets the typed error', async () => {
  const client = new PGlite()
  const logger: StoreLogger = { error: () => { throw new Error('logger down') } }
  try {
    const failures = await failEverything(drizzlePglite(client), logger)
    expect(failures[0]).toBeInstanceOf(StorageError)
  } finally {
    await client.close()
  }
})
