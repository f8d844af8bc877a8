// For test-all: how many conformance cases each run executed, grouped by dialect, from the results files the
// suites wrote. Every run of one dialect must execute the same cases, so differing counts within a dialect
// mean a runtime skipped, lost or added cases.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Dialect } from '../test/conformance/index.ts'
import { nodeConformanceTitles } from '../test/runtimes/suites.ts'

/** The file test-all has Vitest write Node's JSON report to, inside the results folder. */
export const nodeReportName = 'node.vitest.json'

/** `[run, cases]` pairs per dialect; Node's runs come first, as the reference the others must equal. */
export type CaseCounts = Record<Dialect, [string, number][]>

function nodeCounts(resultsDir: string, counts: CaseCounts): void {
  let tests: { ancestorTitles: string[] }[] = []
  try {
    const report = JSON.parse(readFileSync(join(resultsDir, nodeReportName), 'utf8'))
    tests = report.testResults.find((f: { name: string }) => f.name.endsWith(join('test', 'conformance', 'node.test.ts')))?.assertionResults ?? []
  } catch {} // no report: counted as 0 cases below
  const titles = tests.map((t) => t.ancestorTitles[0] ?? '')
  counts.postgres.push(['node', titles.filter((t) => t === nodeConformanceTitles.postgres).length])
  const sqliteRuns = [...new Set(titles.filter((t) => t.startsWith(`${nodeConformanceTitles.sqlite} `)))]
  // No SQLite describe at all is a broken Node run, not a missing reference.
  if (sqliteRuns.length === 0) counts.sqlite.push(['node', 0])
  for (const run of sqliteRuns) counts.sqlite.push([`node/${run.slice(nodeConformanceTitles.sqlite.length + 1)}`, titles.filter((t) => t === run).length])
}

/**
 * Reads the case counts of the selected suites: Node's per dialect from its Vitest JSON report (by
 * describe title), a runtime suite's from `<name>.json`, filed under the suite's dialect.
 *
 * @example
 * ```ts
 * const counts = conformanceCaseCounts('.test-results', [{ name: 'node' }, { name: 'workerd-d1', dialect: 'sqlite' }])
 * ```
 */
export function conformanceCaseCounts(resultsDir: string, suites: readonly { name: string; dialect?: Dialect }[]): CaseCounts {
  const counts: CaseCounts = { postgres: [], sqlite: [] }
  for (const suite of suites) {
    if (suite.name === 'node') nodeCounts(resultsDir, counts)
    else if (suite.dialect) {
      let cases = 0
      try {
        cases = JSON.parse(readFileSync(join(resultsDir, `${suite.name}.json`), 'utf8')).cases.length
      } catch {} // no report: 0 cases
      counts[suite.dialect].push([suite.name, cases])
    }
  }
  return counts
}

/** `run N, run N` for a dialect's runs. */
export const describeCounts = (runs: [string, number][]) => runs.map(([name, cases]) => `${name} ${cases}`).join(', ')

/**
 * One message per dialect whose runs disagree on the number of cases.
 *
 * @example
 * ```ts
 * countMismatches({ postgres: [['node', 81], ['deno', 80]], sqlite: [] }) // ['postgres case counts differ: node 81, deno 80']
 * ```
 */
export function countMismatches(counts: CaseCounts): string[] {
  return Object.entries(counts)
    .filter(([, runs]) => new Set(runs.map(([, cases]) => cases)).size > 1)
    .map(([dialect, runs]) => `${dialect} case counts differ: ${describeCounts(runs)}`)
}
