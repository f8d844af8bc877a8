// `npm test`: runs every runtime's suite, one after another, and sums their counts.
// Each suite writes { passed, failed } to .test-results/<name>.json; a suite that cannot start
// (missing binary, crash before reporting) counts as a failure instead of being skipped. The
// conformance suite must run the same number of cases on every runtime.
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'

interface Suite {
  name: string
  command: string[]
}

const resultsDir = join(import.meta.dirname, '..', '.test-results')

const suites: Suite[] = [
  {
    name: 'node',
    command: ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${join(resultsDir, 'node.vitest.json')}`],
  },
  // The conformance suite (test/conformance) on the other runtimes; see test/runtimes/run.ts.
  ...['workerd', 'edge', 'deno', 'bun'].map((name) => ({ name, command: [process.execPath, 'test/runtimes/run.ts', name] })),
]

/** Conformance cases each runtime ran: the same suite everywhere, so the counts must agree. */
function conformanceCaseCounts(names: string[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const name of names) {
    try {
      if (name === 'node') {
        const report = JSON.parse(readFileSync(join(resultsDir, 'node.vitest.json'), 'utf8'))
        const file = report.testResults.find((f: { name: string }) => f.name.endsWith(join('test', 'conformance', 'node.test.ts')))
        // The Postgres run is the one every runtime repeats; Node also runs the suite on SQLite stores.
        const onPostgres = (file?.assertionResults ?? []).filter((a: { ancestorTitles: string[] }) => a.ancestorTitles[0] === 'conformance on node')
        counts.set(name, onPostgres.length)
      } else counts.set(name, JSON.parse(readFileSync(join(resultsDir, `${name}.json`), 'utf8')).cases.length)
    } catch {
      counts.set(name, 0)
    }
  }
  return counts
}

function readCounts(suite: Suite): { passed: number; failed: number } | null {
  try {
    if (suite.name === 'node') {
      const report = JSON.parse(readFileSync(join(resultsDir, 'node.vitest.json'), 'utf8'))
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
const rows: { name: string; passed: number; failed: number; note: string }[] = []
const startedAt = performance.now()
// Every suite imports the library by package name, i.e. from dist/: build it from clean first.
console.log('=== build ===')
const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' })
if (build.status !== 0) rows.push({ name: 'build', passed: 0, failed: 1, note: `npm run build: exit ${build.status ?? build.signal}` })
const selected = suites.filter((s) => only.length === 0 || only.includes(s.name))
for (const suite of selected) {
  console.log(`\n=== ${suite.name} ===`)
  const [bin, ...args] = suite.command
  const suiteStart = performance.now()
  const run = spawnSync(bin!, args, { stdio: 'inherit', env: { ...process.env, TEST_RESULTS_DIR: resultsDir } })
  const seconds = `${((performance.now() - suiteStart) / 1000).toFixed(1)} s`
  const counts = readCounts(suite)
  if (!counts) rows.push({ name: suite.name, passed: 0, failed: 1, note: `did not report (exit ${run.status ?? run.signal})` })
  else if (run.status !== 0 && counts.failed === 0) rows.push({ name: suite.name, passed: counts.passed, failed: 1, note: `exit ${run.status ?? run.signal}` })
  else rows.push({ name: suite.name, passed: counts.passed, failed: counts.failed, note: seconds })
}
const caseCounts = conformanceCaseCounts(selected.map((s) => s.name))
if (new Set(caseCounts.values()).size > 1) {
  rows.push({ name: 'conformance', passed: 0, failed: 1, note: `case counts differ: ${[...caseCounts].map(([n, c]) => `${n} ${c}`).join(', ')}` })
}

console.log('\nruntime      passed  failed')
for (const row of rows) console.log(`${row.name.padEnd(12)} ${String(row.passed).padStart(6)}  ${String(row.failed).padStart(6)}  ${row.note}`)
const passed = rows.reduce((sum, row) => sum + row.passed, 0)
const failed = rows.reduce((sum, row) => sum + row.failed, 0)
console.log(`conformance cases per runtime: ${[...caseCounts].map(([n, c]) => `${n} ${c}`).join(', ')}; wall time ${((performance.now() - startedAt) / 1000).toFixed(1)} s`)
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
