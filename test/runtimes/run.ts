// `node test/runtimes/run.ts <runtime>`: runs the conformance suite on one runtime (workerd, edge, deno,
// bun), prints its counts and writes `.test-results/<runtime>.json`. Exit code 1 on any failure,
// including a runtime that cannot start or that turns out to be something else than claimed.
import type { ConformanceReport } from '../conformance/index.ts'
import { runEdge } from './edge.ts'
import { recordCrash, recordReport } from './report.ts'
import { runSubprocess } from './subprocess.ts'
import { runWorkerd } from './workerd.ts'

const runtimes: Record<string, { run: () => Promise<ConformanceReport>; platform: RegExp }> = {
  workerd: { run: runWorkerd, platform: /^Cloudflare-Workers$/ },
  edge: { run: runEdge, platform: /^EdgeRuntime\/edge-runtime$/ },
  deno: { run: () => runSubprocess('deno'), platform: /^Deno\// },
  bun: { run: () => runSubprocess('bun'), platform: /^Bun\// },
}

const name = process.argv[2] ?? ''
const runtime = runtimes[name]
if (!runtime) {
  console.error(`usage: node test/runtimes/run.ts <${Object.keys(runtimes).join('|')}>`)
  process.exit(2)
}
// A hung runtime must fail the run, not stall it: the whole suite takes seconds everywhere.
const timeoutMs = 180_000
const timeout = (): Promise<never> =>
  new Promise((_, reject) => setTimeout(() => reject(new Error(`no report after ${timeoutMs / 1000} s`)), timeoutMs).unref())
const started = performance.now()
let ok: boolean
try {
  const report = await Promise.race([runtime.run(), timeout()])
  if (!runtime.platform.test(report.platform)) throw new Error(`the suite ran on "${report.platform}", not ${name}`)
  ok = recordReport(report, (performance.now() - started) / 1000)
} catch (error) {
  ok = recordCrash(name, error instanceof Error ? error.message : String(error))
}
process.exit(ok ? 0 : 1)
