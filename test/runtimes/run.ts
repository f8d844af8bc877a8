// `node test/runtimes/run.ts <suite>`: runs the conformance suite on one runtime suite (suites.ts: workerd,
// workerd-d1, edge, deno, deno-sqlite, bun, bun-sqlite), prints its counts and writes
// `.test-results/<suite>.json`. Exit code 1 on any failure, including a runtime that cannot start, that
// turns out to be something else than claimed, or that ran another dialect's case list.
import type { ConformanceReport } from '../conformance/index.ts'
import { runEdge } from './edge.ts'
import { recordCrash, recordReport } from './report.ts'
import { runSubprocess } from './subprocess.ts'
import { runtimeSuites, type RuntimeSuiteName } from './suites.ts'
import { runWorkerd, runWorkerdD1 } from './workerd.ts'

// Typed by the suite list, so a suite without a runner (or a runner without a suite) fails the type check.
const runners: Record<RuntimeSuiteName, () => Promise<ConformanceReport>> = {
  workerd: runWorkerd,
  'workerd-d1': runWorkerdD1,
  edge: runEdge,
  deno: () => runSubprocess('deno'),
  'deno-sqlite': () => runSubprocess('deno-sqlite'),
  bun: () => runSubprocess('bun'),
  'bun-sqlite': () => runSubprocess('bun-sqlite'),
}

const name = process.argv[2] ?? ''
const suite = runtimeSuites.find((s) => s.name === name)
if (!suite) {
  console.error(`usage: node test/runtimes/run.ts <${runtimeSuites.map((s) => s.name).join('|')}>`)
  process.exit(2)
}
// A hung runtime must fail the run, not stall it: the whole suite takes seconds everywhere.
const timeoutMs = 180_000
const timeout = (): Promise<never> =>
  new Promise((_, reject) => setTimeout(() => reject(new Error(`no report after ${timeoutMs / 1000} s`)), timeoutMs).unref())
const started = performance.now()
let ok: boolean
try {
  const report = await Promise.race([runners[suite.name](), timeout()])
  if (!suite.platform.test(report.platform)) throw new Error(`the suite ran on "${report.platform}", not ${name}`)
  if (report.runtime !== suite.name) throw new Error(`the report is named "${report.runtime}", not ${name}`)
  if (report.dialect !== suite.dialect) throw new Error(`${name} ran the ${report.dialect} cases, not the ${suite.dialect} ones`)
  ok = recordReport(report, (performance.now() - started) / 1000)
} catch (error) {
  ok = recordCrash(name, error instanceof Error ? error.message : String(error))
}
process.exit(ok ? 0 : 1)
