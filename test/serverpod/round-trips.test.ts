// The storage budget in serverpodStore mode, on real Postgres through node-postgres and neon-http. One more
// round trip than the default mode for issue and refresh: the user is read from Serverpod's table, as
// Serverpod itself does on both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { countedDrivers, openCountedDatabase, type CountedDatabase, type OperationCount } from '../support/round-trips.ts'
import { measureServerpodRoundTrips } from './round-trips.ts'

const budget: [string, number][] = [
  ['JWT issue (user read + insert)', 2],
  ['JWT validate', 0],
  ['session issue (user read + insert)', 2],
  ['session validate (lastUsedAt fresh)', 1],
  ['session validate (lastUsedAt due: + throttled write)', 2],
  ['JWT refresh (read + user + compare-and-swap)', 3],
  ['JWT refresh retry within grace window', 2],
  ['JWT list', 1],
  ['session list', 1],
  ['session revoke', 1],
  ['JWT revokeAll', 1],
  ['multi revokeAll (JWT + sessions)', 2],
]

describe.each(countedDrivers)('serverpodStore round trips on %s', (driver) => {
  let database: CountedDatabase
  let counts: Map<string, OperationCount>
  beforeAll(async () => {
    database = await openCountedDatabase(driver, { serverpod: true })
    counts = new Map((await measureServerpodRoundTrips(database)).map((row) => [row.operation, row]))
  })
  afterAll(async () => database?.close())

  it.each(budget)('%s: %i round trips', (operation, expected) => {
    expect(counts.get(operation)?.roundTrips).toBe(expected)
  })
})
