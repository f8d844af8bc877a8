// The storage budget, counted on real Postgres through node-postgres and neon-http:
// JWT validate 0, session validate 1, issue (with callback writes) 1, refresh 1 (a replay: 3), revokeAll 1, list 1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { countedDrivers, measureRoundTrips, openCountedDatabase, type CountedDatabase, type OperationCount } from '../support/round-trips.ts'

// [operation, round trips, whether the count is a ceiling or exact]. Exact where the count is behaviour:
// the throttled lastUsedAt write must happen once it is due, and a multi manager asks every manager.
const budget: [string, number, 'at most' | 'exactly'][] = [
  ['JWT validate', 0, 'exactly'],
  ['multi validate (JWT)', 0, 'exactly'],
  ['session validate (lastUsedAt fresh)', 1, 'at most'],
  ['multi validate (session, fresh)', 1, 'at most'],
  ['session validate (revoked)', 1, 'at most'],
  ['session validate (lastUsedAt due: + throttled write)', 2, 'exactly'],
  ['session validate (lastUsedAt due, write via waitUntil)', 2, 'exactly'],
  ['JWT issue (with onRefreshTokenCreated write)', 1, 'at most'],
  ['session issue (with onSessionCreated write)', 1, 'at most'],
  ['JWT refresh', 1, 'exactly'],
  ['JWT refresh with the new token', 1, 'exactly'],
  ['JWT refresh of a replayed secret (read, then revoke the family)', 3, 'exactly'],
  ['JWT refresh retry within grace window', 1, 'exactly'],
  ['JWT list', 1, 'at most'],
  ['session list', 1, 'at most'],
  ['JWT revokeAll', 1, 'at most'],
  ['session revokeAll', 1, 'at most'],
  ['session revoke', 1, 'at most'],
  ['multi list (JWT + sessions)', 2, 'exactly'],
  ['multi revokeAll (JWT + sessions)', 2, 'exactly'],
]

describe.each(countedDrivers)('round trips per operation on %s', (driver) => {
  let database: CountedDatabase
  let counts: Map<string, OperationCount>
  beforeAll(async () => {
    database = await openCountedDatabase(driver)
    counts = new Map((await measureRoundTrips(database)).map((row) => [row.operation, row]))
  })
  afterAll(async () => database?.close())

  const trips = (operation: string) => {
    const row = counts.get(operation)
    if (!row) throw new Error(`not measured: ${operation}`)
    return row
  }

  it.each(budget)('%s: %i round trips (%s)', (operation, expected, kind) => {
    if (kind === 'exactly') expect(trips(operation).roundTrips).toBe(expected)
    else expect(trips(operation).roundTrips).toBeLessThanOrEqual(expected)
  })

  it('the multi manager runs its managers side by side: one round trip of latency for list and revokeAll', () => {
    expect(trips('multi list (JWT + sessions)').waves).toBe(1)
    expect(trips('multi revokeAll (JWT + sessions)').waves).toBe(1)
  })
})
