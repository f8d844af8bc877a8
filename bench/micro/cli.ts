// Runs the micro cases in this process (Node, Bun or Deno) with mitata and prints the results as JSON on
// stdout; progress goes to stderr. `bench/run.ts` starts one of these per runtime.
//   node bench/micro/cli.ts [--rounds=21] [--only=hs512]
import { measure } from 'mitata'
import { runMicroRounds, throughput, type Slice } from './rounds.ts'

declare const Bun: { version: string } | undefined
declare const Deno: { version: { deno: string } } | undefined

// The headline is throughput (bench/micro/rounds.ts); mitata gives the per-call median beside it. gc: false —
// without --expose-gc mitata forces collection by allocating 1 GB per measurement. Small batches keep
// its part of a slice near 10 ms, so rounds stay short and neighbours see the same machine load.
const sliceOptions = { gc: false, batch_samples: 32, batch_unroll: 1, min_samples: 10, min_cpu_time: 10e6 } as const

const cpuUsage = (globalThis as { process?: { cpuUsage?: (since?: { user: number; system: number }) => { user: number; system: number } } }).process?.cpuUsage

const mitataSlice: Slice = async (run, slow) => {
  const before = cpuUsage?.()
  const t0 = performance.now()
  const wall = await throughput(run, slow ? 150 : 30)
  const calls = Math.round(((performance.now() - t0) * 1e6) / wall)
  const used = before && cpuUsage!(before)
  const stats = await measure(run, slow ? { ...sliceOptions, min_samples: 3, warmup_samples: 1, min_cpu_time: 50e6 } : sliceOptions)
  return { wall, median: stats.p50, cpu: used ? ((used.user + used.system) * 1000) / calls : Number.NaN }
}

export function runtimeName(): string {
  if (typeof Bun !== 'undefined') return `bun ${Bun.version}`
  if (typeof Deno !== 'undefined') return `deno ${Deno.version.deno}`
  return `node ${(globalThis as { process?: { version?: string } }).process?.version ?? '?'}`
}

const args = Object.fromEntries(
  ((globalThis as { process?: { argv: string[] } }).process?.argv ?? []).flatMap((a) => (a.startsWith('--') ? [a.slice(2).split('=') as [string, string]] : [])),
)
const results = await runMicroRounds({
  slice: mitataSlice,
  rounds: Number(args.rounds ?? 21),
  slowRounds: Number(args['slow-rounds'] ?? 3),
  only: args.only ? new RegExp(args.only) : undefined,
  log: (line) => console.error(line),
})
console.log(JSON.stringify({ runtime: runtimeName(), results }))
