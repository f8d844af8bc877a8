// The conformance suite on Node, one vitest case per conformance case: against the local PostgreSQL server
// through node-postgres (drizzleTokenStore, and serverpodStore on Serverpod's tables), and against SQLite
// (sqliteTokenStore) on a better-sqlite3 file in WAL mode and on D1 in Miniflare, each with the shipped
// SQLite migrations. The other runtimes run the same cases through test/runtimes.
import { afterAll, beforeAll, describe, it } from 'vitest'
import { sqliteTokenStore } from 'edge-token-managers/sqlite'
import { openDatabase, openSqliteDatabase, sqliteDriverNames, type OpenDatabase, type OpenSqliteDatabase } from '../support/drivers.ts'
import { conformanceCasesFor, measureFeatures, type ConformanceContext } from './index.ts'

describe('conformance on node', () => {
  let database: OpenDatabase
  let ctx: ConformanceContext
  beforeAll(async () => {
    database = await openDatabase('node-postgres', { serverpod: true })
    ctx = { runtime: 'node', features: await measureFeatures(), db: database.db }
  })
  afterAll(async () => database?.close())

  for (const testCase of conformanceCasesFor('postgres')) it(testCase.name, () => testCase.fn(ctx))
})

describe.each(sqliteDriverNames)('conformance on node, sqliteTokenStore on %s', (driver) => {
  let database: OpenSqliteDatabase
  let ctx: ConformanceContext
  beforeAll(async () => {
    database = await openSqliteDatabase(driver)
    const db = database.db
    ctx = { runtime: 'node', features: await measureFeatures(), db: db as unknown as ConformanceContext['db'], store: () => sqliteTokenStore(db) }
  })
  afterAll(async () => database?.close())

  for (const testCase of conformanceCasesFor('sqlite')) it(testCase.name, () => testCase.fn(ctx))
})
