// The storage budget of DESIGN.md §4, counted on real Postgres through node-postgres and neon-http:
// JWT validate 0, session validate 1, issue (with callback writes) 1, refresh ≤ 2, revokeAll 1, list 1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { countedDrivers, measureRoundTrips, openCountedDatabase, type CountedDatabase, type OperationCount } from '../support/round-trips.ts'

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

  it('JWT validation touches no database, alone or behind the multi manager', () => {
    expect(trips('JWT validate').roundTrips).toBe(0)
    expect(trips('multi validate (JWT)').roundTrips).toBe(0)
  })

  it('session validation is one lookup; the throttled lastUsedAt write adds one, which waitUntil takes off the response', () => {
    expect(trips('session validate (lastUsedAt fresh)').roundTrips).toBe(1)
    expect(trips('multi validate (session, fresh)').roundTrips).toBe(1)
    expect(trips('session validate (revoked)').roundTrips).toBe(1)
    expect(trips('session validate (lastUsedAt due: + throttled write)').roundTrips).toBe(2)
    expect(trips('session validate (lastUsedAt due, write via waitUntil)').roundTrips).toBe(2)
  })

  it('issuing with callback writes is one statement', () => {
    expect(trips('JWT issue (with onRefreshTokenCreated write)').roundTrips).toBe(1)
    expect(trips('session issue (with onSessionCreated write)').roundTrips).toBe(1)
  })

  it('refresh is at most a read and a compare-and-swap', () => {
    expect(trips('JWT refresh').roundTrips).toBeLessThanOrEqual(2)
    expect(trips('JWT refresh with the new token').roundTrips).toBeLessThanOrEqual(2)
    expect(trips('JWT refresh retry within grace window').roundTrips).toBeLessThanOrEqual(2)
  })

  it('list and revokeAll are one statement per manager; the multi manager runs its managers side by side', () => {
    for (const operation of ['JWT list', 'session list', 'JWT revokeAll', 'session revokeAll', 'session revoke']) {
      expect(trips(operation).roundTrips, operation).toBe(1)
    }
    for (const operation of ['multi list (JWT + sessions)', 'multi revokeAll (JWT + sessions)']) {
      expect(trips(operation).roundTrips, operation).toBe(2)
      expect(trips(operation).waves, operation).toBe(1)
    }
  })
})
