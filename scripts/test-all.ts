// `npm test`: runs every suite, one after another, and sums their counts.
// Each suite writes { passed, failed } to .test-results/<name>.json; a suite that cannot start
// (missing binary, crash before reporting) counts as a failure instead of being skipped. The
// conformance suite must run the same number of cases on every run of one dialect: every Postgres run
// as many as Node's Postgres run, every SQLite run as many as Node's SQLite runs.
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Dialect } from '../test/conformance/index.ts'
import { runtimeSuites } from '../test/runtimes/suites.ts'
import { conformanceCaseCounts, countMismatches, describeCounts, nodeReportName } from './conformance-counts.ts'

interface Suite {
  name: string
  /** Which database(s) the suite ran on, for the summary table. */
  database: string
  /** The conformance case list a runtime suite ran; Node runs both. */
  dialect?: Dialect
  command: string[]
}

const resultsDir = join(import.meta.dirname, '..', '.test-results')
const nodeReportFile = join(resultsDir, nodeReportName)

const suites: Suite[] = [
  {
    name: 'node',
    database: 'Postgres, PGlite, SQLite, D1',
    command: ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${nodeReportFile}`],
  },
  // The conformance suite (test/conformance) on the other runtimes; see test/runtimes/run.ts.
  ...runtimeSuites.map(({ name, database, dialect }) => ({ name, database, dialect, command: [process.execPath, 'test/runtimes/run.ts', name] })),
]

function readCounts(suite: Suite): { passed: number; failed: number } | null {
  try {
    if (suite.name === 'node') {
      const report = JSON.parse(readFileSync(nodeReportFile, 'utf8'))
      // A file that fails to load has no tests, so count failed files too.
      const brokenFiles = report.testResults.filter((file: { status: string; assertionResults: unknown[] }) => file.status === 'failed' && file.assertionResults.length === 0).length
      return { passed: report.numPassedTests, failed: report.numFailedTests + brokenFiles }
    }
    return JSON.parse(readFileSync(join(resultsDir, `${suite.name}.json`), 'utf8'))
  } catch {
    return null
  }
}

rmSync(resultsDir, { recursive: true, force: true })
mkdirSync(resultsDir, { recursive: true })
const only = process.argv.slice(2)
const rows: { name: string; database: string; passed: number; failed: number; note: string }[] = []
const startedAt = performance.now()
// Every suite imports the library by package name, i.e. from dist/: build it from clean first.
console.log('=== build ===')
const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' })
if (build.status !== 0) rows.push({ name: 'build', database: '', passed: 0, failed: 1, note: `npm run build: exit ${build.status ?? build.signal}` })
const selected = suites.filter((s) => only.length === 0 || only.includes(s.name))
for (const suite of selected) {
  console.log(`\n=== ${suite.name} ===`)
  const [bin, ...args] = suite.command
  const suiteStart = performance.now()
  const run = spawnSync(bin!, args, { stdio: 'inherit', env: { ...process.env, TEST_RESULTS_DIR: resultsDir } })
  const seconds = `${((performance.now() - suiteStart) / 1000).toFixed(1)} s`
  const counts = readCounts(suite)
  const row = { name: suite.name, database: suite.database }
  if (!counts) rows.push({ ...row, passed: 0, failed: 1, note: `did not report (exit ${run.status ?? run.signal})` })
  else if (run.status !== 0 && counts.failed === 0) rows.push({ ...row, passed: counts.passed, failed: 1, note: `exit ${run.status ?? run.signal}` })
  else rows.push({ ...row, passed: counts.passed, failed: counts.failed, note: seconds })
}
const caseCounts = conformanceCaseCounts(resultsDir, selected)
for (const mismatch of countMismatches(caseCounts)) rows.push({ name: 'conformance', database: '', passed: 0, failed: 1, note: mismatch })

console.log(`\n${'suite'.padEnd(12)} ${'database'.padEnd(29)} passed  failed`)
for (const row of rows) console.log(`${row.name.padEnd(12)} ${row.database.padEnd(29)} ${String(row.passed).padStart(6)}  ${String(row.failed).padStart(6)}  ${row.note}`)
const passed = rows.reduce((sum, row) => sum + row.passed, 0)
const failed = rows.reduce((sum, row) => sum + row.failed, 0)
const perDialect = Object.entries(caseCounts).filter(([, runs]) => runs.length).map(([dialect, runs]) => `${dialect}: ${describeCounts(runs)}`)
console.log(`conformance cases per run — ${perDialect.join('; ')}; wall time ${((performance.now() - startedAt) / 1000).toFixed(1)} s`)
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
