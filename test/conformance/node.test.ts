// The conformance suite on Node, one vitest case per conformance case: against the local PostgreSQL server
// through node-postgres (drizzleTokenStore, and serverpodStore on Serverpod's tables), and against SQLite
// (sqliteTokenStore) on better-sqlite3 and libSQL files in WAL mode and on D1 in Miniflare, each with the
// shipped SQLite migrations. Each dialect runs its own case list (conformanceCasesFor); the other runtimes
// run the same lists through test/runtimes, and test-all finds Node's counts by these describe titles.
import { afterAll, beforeAll, describe, it } from 'vitest'
import { sqliteTokenStore } from 'edge-token-managers/sqlite'
import { openDatabase, openSqliteDatabase, sqliteDriverNames, type OpenDatabase, type OpenSqliteDatabase } from '../support/drivers.ts'
import { nodeConformanceTitles } from '../runtimes/suites.ts'
import { conformanceCasesFor, measureFeatures, type ConformanceContext } from './index.ts'

describe(nodeConformanceTitles.postgres, () => {
  let database: OpenDatabase
  let ctx: ConformanceContext
  beforeAll(async () => {
    database = await openDatabase('node-postgres', { serverpod: true })
    ctx = { runtime: 'node', features: await measureFeatures(), db: database.db }
  })
  afterAll(async () => database?.close())

  for (const testCase of conformanceCasesFor('postgres')) it(testCase.name, () => testCase.fn(ctx))
})

describe.each(sqliteDriverNames)(`${nodeConformanceTitles.sqlite} %s`, (driver) => {
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
