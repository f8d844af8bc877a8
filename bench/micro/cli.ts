// Runs the micro cases in this process (Node, Bun or Deno) with mitata and prints the results as JSON on
// stdout; progress goes to stderr. `bench/run.ts` starts one of these per runtime.
//   node bench/micro/cli.ts [--rounds=21] [--only=hs512]
import { measure } from 'mitata'
import { runMicroRounds, type Slice } from './rounds.ts'

declare const Bun: { version: string } | undefined
declare const Deno: { version: { deno: string } } | undefined

// gc: false — without --expose-gc mitata forces collection by allocating 1 GB per measurement. Small
// batches keep a slice near 30 ms, so rounds stay short and neighbours see the same machine load.
const sliceOptions = { gc: false, batch_samples: 32, batch_unroll: 1, min_samples: 10, min_cpu_time: 30e6 } as const

const cpuUsage = (globalThis as { process?: { cpuUsage?: (since?: { user: number; system: number }) => { user: number; system: number } } }).process?.cpuUsage

const mitataSlice: Slice = async (run, slow) => {
  let calls = 0
  const counted = () => {
    calls++
    return run()
  }
  const before = cpuUsage?.()
  const stats = await measure(counted, slow ? { ...sliceOptions, min_samples: 3, warmup_samples: 1, min_cpu_time: 150e6 } : sliceOptions)
  const used = before && cpuUsage!(before)
  return { wall: stats.p50, cpu: used ? ((used.user + used.system) * 1000) / calls : Number.NaN }
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
