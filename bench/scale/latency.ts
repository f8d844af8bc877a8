// Latency bookkeeping for the scale benchmarks: per-operation timings, summarised as percentiles.

export interface LatencySummary {
  operations: number
  /** Completed operations per second over the whole run (all clients together). */
  throughput: number
  p50Ms: number
  p99Ms: number
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

/**
 * Runs `clients` loops at once, each calling `operation(client, i)` back to back until `durationMs` has
 * passed (or `until()` says so, whichever comes first); every call is timed.
 *
 * @example
 * ```ts
 * const { p99Ms } = await closedLoop(100, 3_000, (client) => sessions.validateToken(tokens[client]!))
 * ```
 */
export async function closedLoop(
  clients: number,
  durationMs: number,
  operation: (client: number, i: number) => Promise<unknown>,
  until: () => boolean = () => false,
): Promise<LatencySummary> {
  const timings: number[] = []
  const start = performance.now()
  const deadline = start + durationMs
  await Promise.all(Array.from({ length: clients }, async (_, client) => {
    for (let i = 0; performance.now() < deadline && !until(); i++) {
      const t0 = performance.now()
      await operation(client, i)
      timings.push(performance.now() - t0)
    }
  }))
  const elapsed = performance.now() - start
  timings.sort((a, b) => a - b)
  return { operations: timings.length, throughput: (timings.length / elapsed) * 1000, p50Ms: percentile(timings, 50), p99Ms: percentile(timings, 99) }
}
