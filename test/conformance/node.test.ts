// The conformance suite on Node, one vitest case per conformance case, against the local PostgreSQL
// server through node-postgres. The other runtimes run the same cases through test/runtimes.
import { afterAll, beforeAll, describe, it } from 'vitest'
import { openDatabase, type OpenDatabase } from '../support/drivers.ts'
import { conformanceCases, measureFeatures, type ConformanceContext } from './index.ts'

describe('conformance on node', () => {
  let database: OpenDatabase
  let ctx: ConformanceContext
  beforeAll(async () => {
    database = await openDatabase('node-postgres', { serverpod: true })
    ctx = { runtime: 'node', features: await measureFeatures(), db: database.db }
  })
  afterAll(async () => database?.close())

  for (const testCase of conformanceCases) it(testCase.name, () => testCase.fn(ctx))
})
