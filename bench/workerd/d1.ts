// D1 beside Postgres inside workerd: a Worker with a D1 binding (Miniflare's d1Databases, workerd's SQLite)
// and, for comparison, Postgres through neon-http runs session validate, session issue, JWT refresh and
// session list back to back. Latency is timed inside the Worker (what the request waits for its store);
// round trips and statements are counted at the binding and at neon-http's fetch. Rounds interleave the
// stores and operations so a busy moment does not land on one of them.
import { join } from 'node:path'
import type { D1Database } from '@cloudflare/workers-types'
import { build } from 'esbuild'
import { Miniflare, convertV4MiniflareOptions } from 'miniflare'
import { startNeonHttpServer } from '../../scripts/neon-http/server.ts'
import { applyD1Migrations } from '../../test/support/drivers.ts'
import { createServerDatabase } from '../../test/support/postgres.ts'
import { median } from '../micro/rounds.ts'
import { percentile } from '../scale/latency.ts'
import { d1Operations, d1Stores, type D1RunAnswer, type Operation, type Store } from './d1-operations.ts'

const storeNames: Record<Store, string> = { d1: 'D1 (binding)', postgres: 'Postgres (neon-http)' }

export interface WorkerdD1Result {
  store: string
  operation: Operation
  operations: number
  /** Mean over all operations, from each run's total (the Worker's clock moves in whole ms). */
  meanMs: number
  /** Percentiles of single timings: whole ms, so only p99 and slow outliers say much. */
  p50Ms: number
  p99Ms: number
  /** One client, back to back: operations per second inside the Worker. */
  opsPerSecond: number
  /** Mean per operation seen from outside (Node's clock around each run of N): a cross-check of meanMs. */
  wallMeanMs: number
  /** Median per operation (and the most any one took). */
  roundTrips: number
  maxRoundTrips: number
  statements: number
}

const randomText = (bytes: number) => Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('base64url')

export async function measureWorkerdD1({ rounds = 5, count = 200, log = console.log } = {}): Promise<WorkerdD1Result[]> {
  const database = await createServerDatabase('bench_workerd_d1')
  const endpoint = await startNeonHttpServer({ port: 0 })
  const script = (await build({
    entryPoints: [join(import.meta.dirname, 'd1-worker.ts')],
    bundle: true, write: false, minify: true, platform: 'browser', format: 'esm', target: 'es2022', logLevel: 'error',
    conditions: ['workerd', 'worker', 'browser'],
  })).outputFiles[0]!.text
  const mf = new Miniflare(convertV4MiniflareOptions({
    modules: true,
    script,
    compatibilityDate: '2025-09-01',
    d1Databases: ['DB'],
    bindings: { DATABASE_URL: database.url, NEON_FETCH_ENDPOINT: endpoint.url, HS512_SECRET: randomText(64), PEPPER: randomText(32) },
  }))
  try {
    await applyD1Migrations((await mf.getD1Database('DB')) as unknown as D1Database)
    const run = async (store: Store, operation: Operation, n: number): Promise<D1RunAnswer & { wallMs: number }> => {
      const t0 = performance.now()
      const response = await mf.dispatchFetch(`http://bench.local/run/${store}/${encodeURIComponent(operation)}?n=${n}`, { method: 'POST' })
      if (!response.ok) throw new Error(`${store} ${operation}: ${response.status} ${await response.text()}`)
      const answer = (await response.json()) as D1RunAnswer
      return { ...answer, wallMs: performance.now() - t0 }
    }
    const cases = d1Stores.flatMap((store) => d1Operations.map((operation) => ({ store, operation })))
    for (const { store, operation } of cases) await run(store, operation, Math.min(20, count)) // warm: keys, tokens, connections
    const answers = new Map(cases.map((c) => [c, [] as (D1RunAnswer & { wallMs: number })[]]))
    const perRound = Math.max(1, Math.ceil(count / rounds))
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < cases.length; k++) {
        const c = cases[(k + round) % cases.length]!
        answers.get(c)!.push(await run(c.store, c.operation, perRound))
      }
      log(`  workerd d1 round ${round + 1}/${rounds}`)
    }
    return cases.map((c) => {
      const all = answers.get(c)!
      const timings = all.flatMap((a) => a.timings).sort((a, b) => a - b)
      const requests = all.flatMap((a) => a.requests)
      const total = all.reduce((sum, a) => sum + a.totalMs, 0)
      const wall = all.reduce((sum, a) => sum + a.wallMs, 0)
      return {
        store: storeNames[c.store],
        operation: c.operation,
        operations: timings.length,
        meanMs: total / timings.length,
        p50Ms: percentile(timings, 50),
        p99Ms: percentile(timings, 99),
        opsPerSecond: total > 0 ? (timings.length * 1000) / total : 0,
        wallMeanMs: wall / timings.length,
        roundTrips: median(requests),
        maxRoundTrips: Math.max(...requests),
        statements: median(all.flatMap((a) => a.statements)),
      }
    })
  } finally {
    await mf.dispose()
    await endpoint.close()
    await database.drop()
  }
}

if (import.meta.main) {
  for (const r of await measureWorkerdD1({ rounds: 3, count: 150 })) {
    console.log(`${r.store.padEnd(22)} ${r.operation.padEnd(18)} mean ${r.meanMs.toFixed(2)} ms (outside ${r.wallMeanMs.toFixed(2)})  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms  ${r.opsPerSecond.toFixed(0)} ops/s  round trips ${r.roundTrips} (max ${r.maxRoundTrips})  statements ${r.statements}`)
  }
}
