// Runner side (Node): each runtime's results go to `.test-results/<runtime>.json` as
// `{ passed, failed, cases, features, driver }`, and a short summary is printed. A runtime that could not
// start or crashed before reporting is written as a failure with the reason, never skipped.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ConformanceReport, TestResult } from '../conformance/index.ts'

export const resultsDir = process.env.TEST_RESULTS_DIR ?? join(import.meta.dirname, '..', '..', '.test-results')

/** The line a runtime's entry prints its report on, so the runner finds it among other output. */
export const reportMarker = '@@conformance-report@@'

/** Finds the report a runtime printed on stdout. */
export function parseReport(stdout: string): ConformanceReport | null {
  const line = stdout.split('\n').find((l) => l.startsWith(reportMarker))
  return line ? (JSON.parse(line.slice(reportMarker.length)) as ConformanceReport) : null
}

function write(runtime: string, body: unknown): void {
  mkdirSync(resultsDir, { recursive: true })
  writeFileSync(join(resultsDir, `${runtime}.json`), `${JSON.stringify(body, null, 2)}\n`)
}

/** Prints and stores a runtime's report; returns whether every case passed. */
export function recordReport(report: ConformanceReport, seconds: number): boolean {
  // Failures in full; every case, passed or not, is in the JSON file.
  for (const c of report.cases) if (c.status === 'failed') console.log(`  ✗ ${c.name}\n      ${c.error}`)
  const supported = Object.entries(report.features).map(([name, ok]) => `${name} ${ok ? 'yes' : 'NO'}`).join(', ')
  console.log(`${report.runtime} (${report.driver}): ${report.passed} passed, ${report.failed} failed in ${seconds.toFixed(1)} s — ${supported}`)
  write(report.runtime, report)
  return report.failed === 0
}

/** Records a runtime that produced no report (binary missing, crash, timeout) as one failed case. */
export function recordCrash(runtime: string, error: string): false {
  const cases: TestResult[] = [{ name: `${runtime} › run the suite`, status: 'failed', ms: 0, error }]
  console.error(`${runtime}: FAILED to run the conformance suite: ${error}`)
  write(runtime, { runtime, passed: 0, failed: 1, cases })
  return false
}
