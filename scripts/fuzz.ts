// `npm run fuzz [-- --runs N] [-- --formats jwt,refresh,session] [-- --driver node-postgres|pglite]`
// Fuzzes every token format (default 100 000 inputs each) against the real managers on a fresh
// database: random strings, structurally valid random tokens, and mutations of real issued tokens.
// Fails on the first input that throws or is accepted without having been issued, printing fast-check's
// counterexample and seed; otherwise prints what was tried and the throughput.
import { parseArgs } from 'node:util'
import { openDatabase, type DriverName } from '../test/support/drivers.ts'
import { fuzzFormat, fuzzFormats, type FuzzFormat } from '../test/support/fuzz.ts'

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '100000' },
    formats: { type: 'string', default: fuzzFormats.join(',') },
    driver: { type: 'string', default: 'node-postgres' },
    seed: { type: 'string' },
  },
})
const runs = Number(values.runs)
const formats = values.formats.split(',') as FuzzFormat[]
if (!Number.isInteger(runs) || runs < 1 || !formats.every((f) => fuzzFormats.includes(f))) {
  console.error(`usage: npm run fuzz -- [--runs N] [--formats ${fuzzFormats.join(',')}] [--driver node-postgres|pglite] [--seed S]`)
  process.exit(2)
}

const database = await openDatabase(values.driver as DriverName)
let failed = false
try {
  console.log(`fuzzing ${formats.join(', ')} with ${runs.toLocaleString('en')} inputs each on ${values.driver}`)
  for (const format of formats) {
    const report = await fuzzFormat(database.db, format, runs, values.seed === undefined ? {} : { seed: Number(values.seed) })
    const rate = Math.round(report.inputs / (report.ms / 1000))
    const outcomes = Object.entries(report.rejected).map(([outcome, n]) => `${outcome} ${n}`).join(', ')
    console.log(
      `${format.padEnd(8)} ${report.inputs} inputs in ${(report.ms / 1000).toFixed(1)} s (${rate}/s): ` +
        `accepted ${report.accepted} (all issued tokens, ${report.unchanged} mutations that changed nothing), ` +
        `database lookups ${report.lookups}; refused: ${outcomes}; forged accepted 0, exceptions 0`,
    )
  }
} catch (error) {
  failed = true
  console.error(error instanceof Error ? error.message : error)
} finally {
  await database.close()
}
process.exit(failed ? 1 : 0)
