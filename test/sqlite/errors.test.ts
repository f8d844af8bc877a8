// How SQLite and D1 failures reach the caller: a locked database and D1's transient errors are "unavailable"
// (retryable, 503), a constraint or a missing table is a StorageError naming SQLite's code, and the storage
// deadline holds on D1 as on Postgres. Real databases, except D1's transient messages, which no local D1 emits.
import BetterSqlite3 from 'better-sqlite3'
import { sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initializeAuthServices, StorageError, StorageUnavailableError } from '../../src/index.ts'
import { sqliteTokenStore, type StorageFailureDetails } from '../../src/sqlite/index.ts'
import { sqliteFailure } from '../../src/sqlite/errors.ts'
import { jwtConfig, sessionsConfig } from '../support/auth.ts'
import { openSqliteDatabase, type OpenSqliteDatabase } from '../support/drivers.ts'

const quiet = { logger: { error: () => {} } }
const emptyMigrations = mkdtempSync(join(tmpdir(), 'etm-sqlite-no-migrations-'))
afterAll(() => rmSync(emptyMigrations, { recursive: true, force: true }))

describe('a database another connection holds locked (better-sqlite3, WAL file)', () => {
  let database: OpenSqliteDatabase
  beforeAll(async () => {
    database = await openSqliteDatabase('better-sqlite3')
  })
  afterAll(async () => database?.close())

  it('is unavailable (SQLITE_BUSY), not rejected, and works again once the lock is gone', async () => {
    const holder = new BetterSqlite3(database.file!)
    const impatient = new BetterSqlite3(database.file!, { timeout: 20 })
    try {
      const auth = initializeAuthServices({ store: sqliteTokenStore(drizzle(impatient), quiet), tokenManagerBuilders: [sessionsConfig()] })
      holder.exec('begin immediate')
      const failure = await auth.tokenManager.issueToken({ authUserId: 'locked', method: 'email' }).catch((error: unknown) => error)
      expect(failure).toBeInstanceOf(StorageUnavailableError)
      expect((failure as Error).cause).toMatchObject({ code: 'SQLITE_BUSY' })
      holder.exec('rollback')
      await expect(auth.tokenManager.issueToken({ authUserId: 'locked', method: 'email' })).resolves.toMatchObject({ authUserId: 'locked' })
    } finally {
      holder.close()
      impatient.close()
    }
  })
})

describe('D1 (Miniflare)', () => {
  it('without the migrations: a StorageError naming the missing table and the migrations to apply, logged once', async () => {
    const database = await openSqliteDatabase('d1', { migrationsFolder: emptyMigrations })
    try {
      const logged: [string, StorageFailureDetails][] = []
      const logger = { error: (message: string, details: StorageFailureDetails) => logged.push([message, details]) }
      const auth = initializeAuthServices({ store: sqliteTokenStore(database.db, { logger }), tokenManagerBuilders: [jwtConfig()] })
      await auth.tokenManager.issueToken({ authUserId: 'u', method: 'email' }).catch(() => {})
      const failure = await auth.tokenManager.issueToken({ authUserId: 'u', method: 'email' }).catch((error: unknown) => error)
      expect(logged).toEqual([[expect.stringMatching(/^edge-token-managers: token store failed \(ERR_STORAGE\): Error: no such table: auth_refresh_token/), expect.objectContaining({ code: 'ERR_STORAGE', driverCode: 'SQLITE_ERROR' })]])
      expect(failure).toBeInstanceOf(StorageError)
      expect(failure).toMatchObject({ code: 'ERR_STORAGE', driverCode: 'SQLITE_ERROR', sqlState: undefined })
      expect((failure as Error).message).toMatch(/The table auth_refresh_token does not exist: apply the migrations in drizzle\/sqlite\//)
    } finally {
      await database.close()
    }
  })

  it('a statement past the deadline gives StorageUnavailableError in time', async () => {
    const database = await openSqliteDatabase('d1')
    try {
      // A callback write that keeps D1 busy for seconds: the issue must not wait for it.
      const slow = sql`insert into auth_session (id, auth_user_id, method, scope_names, secret_hash, created_at, last_used_at)
        select 'x', 'x', 'x', '[]', x'00', n, n from (with recursive c(n) as (select 1 union all select n + 1 from c where n < 30000000) select max(n) as n from c)`
      const auth = initializeAuthServices({
        store: sqliteTokenStore(database.db, { timeout: 200, ...quiet }),
        tokenManagerBuilders: [sessionsConfig({ onSessionCreated: () => [slow] })],
      })
      const started = Date.now()
      const failure = await auth.tokenManager.issueToken({ authUserId: 'slow', method: 'email' }).catch((error: unknown) => error)
      expect(Date.now() - started).toBeLessThan(1500)
      expect(failure).toBeInstanceOf(StorageUnavailableError)
      expect(String((failure as Error).cause)).toContain('No answer from the database within 200 ms')
    } finally {
      await database.close()
    }
  }, 60_000)
})

describe('classification of what D1 and the SQLite drivers report', () => {
  const d1Error = (message: string) => new Error(message, { cause: new Error(message.replace(/^D1_ERROR: /, '')) })

  it.each([
    'D1_ERROR: Network connection lost.',
    'D1_ERROR: D1 DB is overloaded. Requests queued for too long.',
    'D1_ERROR: Cannot resolve D1 DB due to transient issue on remote node.',
    'D1_ERROR: D1 DB storage operation exceeded timeout which caused object to be reset.',
    'D1_ERROR: Internal error while starting up D1 DB storage caused object to be reset.',
    'D1_ERROR: database is locked: SQLITE_BUSY',
  ])('"%s" is unavailable (retry later)', (message) => {
    expect(sqliteFailure(d1Error(message))).toBeInstanceOf(StorageUnavailableError)
  })

  it('libSQL and better-sqlite3 codes: BUSY/LOCKED unavailable, constraints rejected with the most specific code', () => {
    expect(sqliteFailure(Object.assign(new Error('database is locked'), { code: 'SQLITE_LOCKED' }))).toBeInstanceOf(StorageUnavailableError)
    const constraint = sqliteFailure(Object.assign(new Error('UNIQUE constraint failed: t.id'), { code: 'SQLITE_CONSTRAINT', extendedCode: 'SQLITE_CONSTRAINT_PRIMARYKEY' }))
    expect(constraint).toMatchObject({ code: 'ERR_STORAGE', driverCode: 'SQLITE_CONSTRAINT_PRIMARYKEY' })
    expect(constraint.message).toBe('The token store rejected the operation (SQLITE_CONSTRAINT_PRIMARYKEY).')
  })

  it('D1_TYPE_ERROR is a rejection, and the refused value never reaches the cause', () => {
    const failure = sqliteFailure(d1Error("D1_TYPE_ERROR: Type 'object' not supported for value 'a1b2c3-secret-hash'"))
    expect(failure).toMatchObject({ code: 'ERR_STORAGE', driverCode: 'D1_TYPE_ERROR' })
    expect(String((failure.cause as Error).message)).not.toContain('a1b2c3-secret-hash')
  })
})

