// Property-based fuzzing in the suite: 5 000 inputs per format (JWT, refresh token, session token) —
// random strings, structurally valid random tokens and mutations of real issued tokens — against the
// real managers on a real Postgres. Nothing may throw, and anything accepted must be, byte for byte, a
// token the managers issued. `npm run fuzz` runs the same fuzzer with ≥ 100 000 inputs per format.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { openDatabase, type OpenDatabase } from '../support/drivers.ts'
import { createFigures } from '../support/figures.ts'
import { fuzzFormat, fuzzFormats } from '../support/fuzz.ts'

const runsPerFormat = 5_000
const figures = createFigures('fuzz')
figures.watchUnhandled()
figures.add('forgedAccepted', 0) // recorded as 0, not absent; the fuzzer throws on the first forgery

let database: OpenDatabase
beforeAll(async () => void (database = await openDatabase('node-postgres')))
afterAll(async () => {
  figures.write()
  await database?.close()
  expect(figures.get('unhandledExceptions')).toBe(0)
})

it.each(fuzzFormats)('%s: 5 000 fuzz inputs, no throw, nothing accepted that was not issued', async (format) => {
  const report = await fuzzFormat(database.db, format, runsPerFormat)
  figures.add('inputsTried', report.inputs)
  expect(report.inputs).toBe(runsPerFormat)
  const outcomes = Object.values(report.rejected).reduce((a, b) => a + b, 0)
  expect(outcomes + report.accepted).toBe(runsPerFormat)
  // Every acceptance was an unchanged real token (checked input by input inside the fuzzer, too).
  expect(report.accepted).toBe(report.unchanged)
  // The fuzzer got past the cheap format checks: a good share was looked up and refused by hash.
  if (format !== 'jwt') expect(report.lookups).toBeGreaterThan(runsPerFormat / 5)
  if (format === 'refresh') {
    const refusedByHash = (report.rejected.ERR_REFRESH_TOKEN_INVALID_SECRET ?? 0) + (report.rejected.ERR_REFRESH_TOKEN_REUSED ?? 0)
    expect(refusedByHash).toBeGreaterThan(runsPerFormat / 10)
  }
}, 60_000)
