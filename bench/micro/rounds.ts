// Runs the micro cases in many short rounds. In each round every variant of a case runs one slice, in an
// order that rotates per round, so neighbours share the machine's momentary load; ratios are taken within
// a round and the median over rounds is reported. The headline is throughput: calls completed per second
// over a whole slice, garbage collection included (a per-call median hides GC, which an allocation-heavy
// validator pays in full). Per-call medians are kept beside it, where the runtime's clock allows.
import { microCases } from './cases.ts'

/**
 * One slice of calls: `wall` is elapsed ns / calls over the slice (the inverse of throughput, GC included),
 * `median` the median ns of single calls (NaN where the clock is too coarse: workerd), `cpu` process CPU
 * ns per call (NaN where unavailable).
 */
export type Slice = (run: () => Promise<unknown>, slow: boolean) => Promise<{ wall: number; median: number; cpu: number }>

export interface CaseResult {
  id: string
  title: string
  rounds: number
  /** Median over rounds of each variant's wall ns per call at full throughput (GC included). */
  nsPerOp: Record<string, number>
  /** Median over rounds of each variant's per-call median ns (NaN on workerd). */
  medianNsPerOp: Record<string, number>
  /** The same ratio as ratioToRaw, on per-call medians: the secondary column. */
  medianRatioToRaw: Record<string, number>
  /** Median over rounds of process CPU ns per call (all threads); NaN where unavailable (workerd). */
  cpuNsPerOp: Record<string, number>
  opsPerSecond: Record<string, number>
  /** Median over rounds of (raw time / variant time): throughput as a fraction of the floor's. */
  ratioToRaw: Record<string, number>
  /** The same on CPU time: less sensitive to other processes than wall time. */
  cpuRatioToRaw: Record<string, number>
  /** Each round's median ns per call, per variant: any pairwise ratio can be taken round by round. */
  roundsNs: Record<string, number[]>
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** How many times the throughput of `a` is that of `b`: the median over rounds of b's time / a's time. */
export function speedup(result: CaseResult, a: string, b: string): number {
  const aNs = result.roundsNs[a]!
  return median(result.roundsNs[b]!.map((t, round) => t / aNs[round]!))
}

export interface RoundOptions {
  slice: Slice
  rounds?: number
  /** Rounds for the PBKDF2 case, whose calls take up to ~100 ms. */
  slowRounds?: number
  only?: RegExp
  log?: (line: string) => void
}

export async function runMicroRounds({ slice, rounds = 21, slowRounds = 3, only, log = () => {} }: RoundOptions): Promise<CaseResult[]> {
  const cases = (await microCases()).filter((c) => !only || only.test(c.id))
  for (const c of cases) {
    for (const v of c.variants) {
      if (!v.check(await v.run())) throw new Error(`benchmark ${c.id}/${v.name} did not succeed: it would time a failure path`)
    }
  }
  const results: CaseResult[] = []
  for (const c of cases) {
    // One unrecorded slice per variant first: the first round must not pay for JIT warm-up.
    for (const v of c.variants) {
      await v.prepare?.()
      await slice(v.run, Boolean(c.slow && /PBKDF2/.test(v.name)))
    }
    const n = c.variants.length
    const wall: number[][] = c.variants.map(() => [])
    const cpu: number[][] = c.variants.map(() => [])
    const medians: number[][] = c.variants.map(() => [])
    const caseRounds = c.slow ? slowRounds : rounds
    for (let round = 0; round < caseRounds; round++) {
      for (let k = 0; k < n; k++) {
        const i = (k + round) % n
        const variant = c.variants[i]!
        await variant.prepare?.()
        const measured = await slice(variant.run, Boolean(c.slow && /PBKDF2/.test(variant.name)))
        wall[i]!.push(measured.wall)
        medians[i]!.push(measured.median)
        cpu[i]!.push(measured.cpu)
      }
    }
    log(`  ${c.id}: ${caseRounds} rounds`)
    const result: CaseResult = {
      id: c.id, title: c.title, rounds: caseRounds, nsPerOp: {}, medianNsPerOp: {}, medianRatioToRaw: {}, cpuNsPerOp: {}, opsPerSecond: {},
      ratioToRaw: {}, cpuRatioToRaw: {}, roundsNs: {},
    }
    c.variants.forEach((v, i) => {
      result.roundsNs[v.name] = wall[i]!
      result.nsPerOp[v.name] = median(wall[i]!)
      result.medianNsPerOp[v.name] = median(medians[i]!)
      result.medianRatioToRaw[v.name] = median(medians[i]!.map((t, r) => medians[0]![r]! / t))
      result.cpuNsPerOp[v.name] = median(cpu[i]!)
      result.opsPerSecond[v.name] = 1e9 / median(wall[i]!)
      result.ratioToRaw[v.name] = median(wall[i]!.map((t, r) => wall[0]![r]! / t))
      result.cpuRatioToRaw[v.name] = median(cpu[i]!.map((t, r) => cpu[0]![r]! / t))
    })
    results.push(result)
  }
  return results
}

/**
 * Calls `run` one after another until at least `minMs` have passed (and, for slow calls, at least 64 calls
 * or 120 ms): elapsed ns per call, GC and everything included. The clock is read once per 8 calls.
 */
export async function throughput(run: () => Promise<unknown>, minMs: number): Promise<number> {
  const t0 = performance.now()
  let calls = 0
  let elapsed = 0
  do {
    for (let i = 0; i < 8; i++) await run()
    calls += 8
    elapsed = performance.now() - t0
  } while (elapsed < minMs || (calls < 64 && elapsed < 120))
  return (elapsed * 1e6) / calls
}

/**
 * The workerd slice. Local workerd's clock advances during a request but only in whole milliseconds, so a
 * sample lasts at least 25 ms (±4 %); the slice is the median of three. No per-call median there.
 */
export const loopSlice: Slice = async (run) => {
  await run()
  const samples: number[] = []
  while (samples.length < 3) samples.push(await throughput(run, 25))
  return { wall: median(samples), median: Number.NaN, cpu: Number.NaN }
}
