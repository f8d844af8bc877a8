// How database failures are classified and what of them is kept: a socket error is "unavailable"
// (retryable, Hono 503) even when its errno name looks like a SQLSTATE, and the typed error keeps the
// driver's naming fields but never the quoted row or query parameters.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { drizzle } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import { afterAll, expect, it } from 'vitest'
import { drizzleTokenStore } from '../../src/drizzle/index.ts'
import { initializeAuthServices, StorageError, StorageUnavailableError } from '../../src/index.ts'
import { storageFailure } from '../../src/drizzle/errors.ts'
import { jwtConfig, sessionsConfig } from '../support/auth.ts'
import { createServerDatabase } from '../support/postgres.ts'

// A migrations folder with no migration: the database gets none of the library's tables.
const emptyMigrations = mkdtempSync(join(tmpdir(), 'etm-no-migrations-'))
mkdirSync(join(emptyMigrations, 'meta'))
writeFileSync(join(emptyMigrations, 'meta', '_journal.json'), JSON.stringify({ version: '7', dialect: 'postgresql', entries: [] }))
afterAll(() => rmSync(emptyMigrations, { recursive: true, force: true }))

const systemError = (code: string, syscall = 'write') => Object.assign(new Error(`${syscall} ${code}`), { code, errno: -32, syscall })

it('classifies by SQLSTATE class; errno names (EPIPE, ESRCH, …) are connection failures, not rejections', () => {
  for (const code of ['EPIPE', 'ESRCH', 'ENXIO', 'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT']) {
    // Drizzle wraps the driver's error; the classification must see through it.
    const failure = storageFailure(Object.assign(new Error('Failed query'), { cause: systemError(code) }))
    expect(failure, code).toBeInstanceOf(StorageUnavailableError)
    expect(failure).toMatchObject({ code: 'ERR_STORAGE_UNAVAILABLE', retryable: true })
  }
  for (const sqlState of ['08006', '08001', '53300', '57P01', '40001', '40P01']) {
    expect(storageFailure({ code: sqlState }), sqlState).toBeInstanceOf(StorageUnavailableError)
  }
  for (const sqlState of ['23505', '23514', '42P01', 'P0001', 'XX000', 'F0000', 'HV000']) {
    const failure = storageFailure(Object.assign(new Error('rejected'), { code: sqlState }))
    expect(failure, sqlState).toBeInstanceOf(StorageError)
    expect(failure).toMatchObject({ code: 'ERR_STORAGE', sqlState })
  }
  expect(storageFailure(new TypeError('fetch failed'))).toBeInstanceOf(StorageUnavailableError)
})

it('keeps the constraint and table, drops the quoted row and the query parameters', () => {
  const hash = `\\x0101${'ab12'.repeat(40)}`
  const driver = Object.assign(new Error('new row for relation "auth_refresh_token" violates check constraint "app_rule"'), {
    code: '23514', severity: 'ERROR', table: 'auth_refresh_token', constraint: 'app_rule',
    detail: `Failing row contains (7f1c…, user, banned, {}, null, ${hash}...)`, where: `SQL statement with ${hash}`,
  })
  const wrapped = Object.assign(new Error(`Failed query: insert into "auth_refresh_token" …\nparams: ${hash}`), { cause: driver })
  const failure = storageFailure(wrapped)
  expect(failure).toMatchObject({ code: 'ERR_STORAGE', sqlState: '23514' })
  expect(failure.cause).toMatchObject({ message: driver.message, code: '23514', table: 'auth_refresh_token', constraint: 'app_rule' })
  const logged = inspect(failure, { depth: 10, showHidden: true })
  expect(logged).toContain('app_rule')
  expect(logged).not.toContain('ab12ab12')
  expect(logged).not.toContain('Failing row')
})

it('a cause chain that loops back is walked once, not forever', () => {
  const driver = Object.assign(new Error('connection reset'), { code: 'ECONNRESET' })
  const wrapper: Error & { cause?: unknown } = new Error('Failed query', { cause: driver })
  driver.cause = wrapper
  const failure = storageFailure(wrapper)
  expect(failure).toBeInstanceOf(StorageUnavailableError)
  expect(failure.cause).toMatchObject({ message: 'connection reset', code: 'ECONNRESET' })
})

it('an unmigrated database: the error names the missing table and the migrate command (real server)', async () => {
  const database = await createServerDatabase('unmigrated', { migrationsFolder: emptyMigrations })
  const pool = new pg.Pool({ connectionString: database.url })
  try {
    const auth = initializeAuthServices({ store: drizzleTokenStore(drizzle(pool)), tokenManagerBuilders: [jwtConfig(), sessionsConfig()] })
    const error = await auth.tokenManager.issueToken({ authUserId: 'u', method: 'email' }).then(() => null, (e: unknown) => e)
    expect(error).toBeInstanceOf(StorageError)
    expect((error as StorageError).message).toMatch(/SQLSTATE 42P01\)\. The table auth_refresh_token does not exist: run `npx edge-token-managers migrate`/)
  } finally {
    await pool.end()
    await database.drop()
  }
})
