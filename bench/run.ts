// `npm run bench`: every section in one run, results in bench/results/latest.json and ratios.svg.
//   npm run bench -- --only=micro,sizes      sections: micro, round-trips, sizes, workerd, workerd-d1, http, sqlite, scale, slow-link, sweep, serverpod
//   npm run bench -- --skip=scale            scale fills a table with 10⁶ rows: a few minutes
//   npm run bench -- --skip=sweep            sweep fills 10⁷ expired rows: many minutes (--sweep-rows=N for fewer)
//   npm run bench -- --runtimes=node,workerd --rounds=21 --quick
// Sections not run keep their previous results (each is stamped with its date and machine load).
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { countedDrivers, measureRoundTrips, openCountedDatabase } from '../test/support/round-trips.ts'
import { ratioChart } from './chart.ts'
import { microRuntimes, runMicroOn, type MicroRuntime, type RuntimeMicro } from './micro/runtimes.ts'
import { headlineTable, microTable, sweepTable, table, verdictTable } from './report.ts'
import { loadResults, stamp } from './results.ts'
import { measureConcurrency } from './scale/concurrency.ts'
import { httpTable, measureHttp } from './scale/http.ts'
import { measureSlowLink } from './scale/slow-link.ts'
import { measureSqlite } from './scale/sqlite.ts'
import { measureSweep } from './scale/sweep.ts'
import { argon2Runtimes, measureArgon2On } from './serverpod/argon2.ts'
import { measureServerpodRoundTrips } from '../test/serverpod/round-trips.ts'
import { measureRowGrowth } from './scale/rows.ts'
import { measureSizes } from './sizes.ts'
import { measureWorkerdCpu } from './workerd/cpu.ts'
import { measureWorkerdD1 } from './workerd/d1.ts'

const sections = ['micro', 'round-trips', 'sizes', 'workerd', 'workerd-d1', 'http', 'sqlite', 'scale', 'slow-link', 'sweep', 'serverpod'] as const
type Section = (typeof sections)[number]

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string | undefined]))
const list = (value: string | undefined) => (value ? value.split(',').map((s) => s.trim()) : undefined)
const only = list(args.only)
const skip = list(args.skip) ?? []
for (const name of [...(only ?? []), ...skip]) if (!sections.includes(name as Section)) throw new Error(`unknown section ${name}; one of ${sections.join(', ')}`)
const selected = sections.filter((s) => (!only || only.includes(s)) && !skip.includes(s))
const quick = 'quick' in args
const rounds = Number(args.rounds ?? (quick ? 5 : 21))
const runtimes = (list(args.runtimes) ?? [...microRuntimes]) as MicroRuntime[]

const resultsDir = join(import.meta.dirname, 'results')
const resultsPath = join(resultsDir, 'latest.json')
const results = loadResults(resultsPath)
mkdirSync(resultsDir, { recursive: true })
const save = () => writeFileSync(resultsPath, `${JSON.stringify(results, null, 1)}\n`)
const log = (line: string) => console.log(line)

/** The verified-token cache's heap per entry: a Node child with --expose-gc (bench/micro/cache-memory.ts). */
function measureCacheMemory(): { entries: number; tokenLength: number; bytesPerEntry: number } {
  const run = spawnSync(process.execPath, ['--expose-gc', join(import.meta.dirname, 'micro', 'cache-memory.ts')], { encoding: 'utf8' })
  if (run.status !== 0) throw new Error(`cache-memory failed:\n${run.stderr}`)
  const { entries, tokenLength, bytesPerEntry } = JSON.parse(run.stdout.trim().split('\n').at(-1)!)
  return { entries, tokenLength, bytesPerEntry }
}

const loadNow = () => loadavg().map((l) => l.toFixed(2)).join(' ')
console.log(`bench: ${selected.join(', ')} — load average ${loadNow()} — compare ratios from one run, not absolute numbers`)

if (selected.includes('micro')) {
  console.log(`\n## micro (${rounds} rounds, runtimes: ${runtimes.join(', ')})`)
  const measured: RuntimeMicro[] = []
  for (const runtime of runtimes) {
    console.log(`- ${runtime}`)
    measured.push(await runMicroOn(runtime, { rounds, slowRounds: quick ? 1 : 3 }))
  }
  results.micro = { ...stamp(), rounds, runtimes: measured }
  save()
  if (runtimes.includes('node')) {
    results.cacheMemory = { ...stamp(), ...(measureCacheMemory()) }
    save()
  }
  for (const runtime of measured) console.log(`\n### ${runtime.runtime}\n${microTable(runtime)}`)
  console.log(`\n${headlineTable(measured)}\n\nload average (1, 5, 15 min) at the end of the micro run: ${results.micro.machine.loadAverage.join(', ')}`)
}

if (selected.includes('round-trips')) {
  console.log('\n## round trips per operation')
  const drivers: Record<string, Awaited<ReturnType<typeof measureRoundTrips>>> = {}
  for (const driver of countedDrivers) {
    const database = await openCountedDatabase(driver)
    try {
      drivers[driver] = await measureRoundTrips(database)
    } finally {
      await database.close()
    }
  }
  results.roundTrips = { ...stamp(), drivers }
  save()
  const operations = drivers[countedDrivers[0]]!.map((r) => r.operation)
  console.log(table(['operation', ...countedDrivers.map((d) => `${d}: round trips (waves)`)], operations.map((op) => [
    op, ...countedDrivers.map((d) => {
      const row = drivers[d]!.find((r) => r.operation === op)!
      return row.waves === row.roundTrips ? String(row.roundTrips) : `${row.roundTrips} (${row.waves})`
    }),
  ])))
}

if (selected.includes('sizes')) {
  console.log('\n## bundle sizes')
  const sizes = await measureSizes()
  results.sizes = { ...stamp(), results: sizes }
  save()
  console.log(table(['bundle', 'minified', 'gzip'], sizes.map((s) => [s.name, `${(s.minifiedBytes / 1024).toFixed(1)} KB`, `${(s.gzipBytes / 1024).toFixed(1)} KB`])))
}

if (selected.includes('workerd')) {
  console.log('\n## CPU per request in workerd')
  const cpu = await measureWorkerdCpu({ rounds: quick ? 3 : 9, requests: quick ? 150 : 300, log })
  results.workerdCpu = { ...stamp(), results: cpu }
  save()
  console.log(table(['route', 'CPU µs/request', 'over /noop', 'wall µs/request', 'over /noop'], cpu.map((r) => [
    r.route, r.cpuMicros.toFixed(0), r.cpuOverNoopMicros.toFixed(0), r.wallMicros.toFixed(0), r.wallOverNoopMicros.toFixed(0),
  ])))
}

if (selected.includes('workerd-d1')) {
  console.log('\n## D1 beside Postgres (neon-http) inside workerd: per operation, one client')
  const measured = await measureWorkerdD1({ rounds: quick ? 3 : 7, count: quick ? 150 : 700, log })
  results.workerdD1 = { ...stamp(), results: measured }
  save()
  console.log(table(['store', 'operation', 'mean ms', 'p99 ms', 'ops/s', 'round trips', 'statements'], measured.map((r) => [
    r.store, r.operation, r.meanMs.toFixed(2), String(r.p99Ms), r.opsPerSecond.toFixed(0),
    r.maxRoundTrips === r.roundTrips ? String(r.roundTrips) : `${r.roundTrips} (max ${r.maxRoundTrips})`, String(r.statements),
  ])))
}

if (selected.includes('http')) {
  console.log('\n## HTTP: requests/s through a loopback server (node-postgres, pool 10, 10⁵ sessions)')
  const measured = await measureHttp({ durationMs: quick ? 1_000 : 3_000, log })
  results.http = { ...stamp(), results: measured }
  save()
  console.log(httpTable(measured))
}

if (selected.includes('sqlite')) {
  console.log('\n## SQLite beside Postgres: latency per operation, one client')
  const measured = await measureSqlite({ count: quick ? 200 : 1_000, sizes: quick ? [1_000, 100_000] : [1_000, 100_000, 1_000_000], log })
  results.sqlite = { ...stamp(), ...measured }
  save()
  console.log(table(['database', 'operation', 'p50 ms', 'p99 ms'], measured.latency.map((r) => [r.database, r.operation, r.p50Ms.toFixed(3), r.p99Ms.toFixed(3)])))
  console.log(table(['stored sessions (better-sqlite3)', 'validate p50 ms', 'p99 ms'], measured.rows.map((r) => [r.rows.toLocaleString('en-US'), r.p50Ms.toFixed(3), r.p99Ms.toFixed(3)])))
}

if (selected.includes('scale')) {
  console.log('\n## scale')
  const concurrency = await measureConcurrency({ durationMs: quick ? 1_000 : 3_000, log })
  const rows = await measureRowGrowth({ sizes: quick ? [1_000, 100_000] : [1_000, 100_000, 1_000_000], validations: quick ? 500 : 2_000, log })
  results.scale = { ...stamp(), concurrency, rows }
  save()
  console.log(table(['driver', 'operation', 'clients', 'ops/s', 'p50 ms', 'p99 ms'], concurrency.map((r) => [
    r.driver, r.operation, r.clients, r.throughput.toFixed(0), r.p50Ms.toFixed(2), r.p99Ms.toFixed(2),
  ])))
  console.log(table(['stored sessions', 'validate p50 ms', 'p99 ms'], rows.map((r) => [r.rows.toLocaleString('en-US'), r.p50Ms.toFixed(3), r.p99Ms.toFixed(3)])))
  console.log(`\nEXPLAIN (ANALYZE) at ${rows.at(-1)!.rows.toLocaleString('en-US')} rows:\n${rows.at(-1)!.plan}`)
}

if (selected.includes('slow-link')) {
  const delayMs = 10
  console.log(`\n## a database ${2 * delayMs} ms away: node-postgres through a TCP proxy holding each chunk ${delayMs} ms each way, one client`)
  const measured = await measureSlowLink({ delayMs, count: quick ? 20 : 50, log })
  results.slowLink = { ...stamp(), delayMs, results: measured }
  save()
  console.log(table(['operation', 'min ms', 'p50 ms', 'p99 ms', 'p50 ÷ round trip', 'min ÷ round trip'], measured.map((r) => [
    r.operation, r.minMs.toFixed(1), r.p50Ms.toFixed(1), r.p99Ms.toFixed(1), `${r.roundTrips.toFixed(2)}×`, `${r.minRoundTrips.toFixed(2)}×`,
  ])))
  console.log(`\nload average (1, 5, 15 min) at the end of the slow-link run: ${results.slowLink.machine.loadAverage.join(', ')}`)
}

if (selected.includes('sweep')) {
  // 7 : 3 sessions to refresh tokens, 10⁷ in all unless --sweep-rows says otherwise.
  const rows = Number(args['sweep-rows'] ?? (quick ? 1_000_000 : 10_000_000))
  console.log(`\n## deleteExpiredTokens() on ${rows.toLocaleString('en-US')} expired rows, 100 clients validating live sessions (node-postgres, pool 20, default deadline)`)
  const measured = await measureSweep({ expiredSessions: Math.round(rows * 0.7), expiredRefreshTokens: rows - Math.round(rows * 0.7), quietMs: quick ? 1_000 : 3_000, log })
  results.sweep = { ...stamp(), ...measured }
  save()
  console.log(sweepTable(measured))
  console.log(`\nload average (1, 5, 15 min) at the end of the sweep run: ${results.sweep.machine.loadAverage.join(', ')}`)
}

if (selected.includes('serverpod')) {
  console.log('\n## serverpodStore: Argon2id per refresh, round trips')
  const argon2 = []
  for (const runtime of argon2Runtimes) argon2.push(await measureArgon2On(runtime))
  const roundTrips: Record<string, Awaited<ReturnType<typeof measureServerpodRoundTrips>>> = {}
  for (const driver of countedDrivers) {
    const database = await openCountedDatabase(driver, { serverpod: true })
    try {
      roundTrips[driver] = await measureServerpodRoundTrips(database)
    } finally {
      await database.close()
    }
  }
  // Its own file, so this section's data never collides with the other sections' in latest.json.
  writeFileSync(join(resultsDir, 'serverpod.json'), `${JSON.stringify({ ...stamp(), argon2, roundTrips }, null, 1)}\n`)
  console.log(table(['runtime', 'Argon2id hash ms', 'verify ms', 'refresh (verify + hash) ms'], argon2.map((r) => [r.runtime, String(r.hashMs), String(r.verifyMs), String(r.refreshMs)])))
  const operations = roundTrips[countedDrivers[0]]!.map((r) => r.operation)
  console.log(table(['operation', ...countedDrivers], operations.map((op) => [op, ...countedDrivers.map((d) => String(roundTrips[d]!.find((r) => r.operation === op)!.roundTrips))])))
}

if (results.micro) {
  const { measuredAt, machine } = results.micro
  const caption = `${measuredAt.slice(0, 10)} · ${machine.cores} cores (${machine.cpu}), load ${machine.loadAverage.join(' ')} · median of ${results.micro.rounds} interleaved rounds`
  writeFileSync(join(resultsDir, 'ratios.svg'), ratioChart(results.micro.runtimes, caption))
}
console.log(`\n## targets (load average now ${loadNow()})\n${verdictTable(results)}`)
console.log(`\nwrote ${resultsPath} and ratios.svg`)
