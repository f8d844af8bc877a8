// `npm test`: runs every runtime's suite, one after another, and sums their counts.
// Each suite writes { passed, failed } to .test-results/<name>.json; a suite that cannot start
// (missing binary, crash before reporting) counts as a failure instead of being skipped.
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
]

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
for (const suite of suites.filter((s) => only.length === 0 || only.includes(s.name))) {
  console.log(`\n=== ${suite.name} ===`)
  const [bin, ...args] = suite.command
  const run = spawnSync(bin!, args, { stdio: 'inherit', env: { ...process.env, TEST_RESULTS_DIR: resultsDir } })
  const counts = readCounts(suite)
  if (!counts) rows.push({ name: suite.name, passed: 0, failed: 1, note: `did not report (exit ${run.status ?? run.signal})` })
  else if (run.status !== 0 && counts.failed === 0) rows.push({ name: suite.name, ...counts, failed: 1, note: `exit ${run.status ?? run.signal}` })
  else rows.push({ name: suite.name, ...counts, note: '' })
}

console.log('\nruntime      passed  failed')
for (const row of rows) console.log(`${row.name.padEnd(12)} ${String(row.passed).padStart(6)}  ${String(row.failed).padStart(6)}  ${row.note}`)
const passed = rows.reduce((sum, row) => sum + row.passed, 0)
const failed = rows.reduce((sum, row) => sum + row.failed, 0)
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
