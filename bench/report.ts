// Text and Markdown renderings of the results, and the verdict on each performance target.
import { naiveMin } from './micro/cases.ts'
import { dpopRawVerify } from './micro/dpop.ts'
import type { RuntimeMicro } from './micro/runtimes.ts'
import { median, speedup, type CaseResult } from './micro/rounds.ts'
import type { Results } from './results.ts'
import type { SweepResult } from './scale/sweep.ts'

const fixed = (n: number | null | undefined, digits = 2) => (n == null || Number.isNaN(n) ? '–' : n.toFixed(digits))
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`

export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))]
  return [
    `| ${headers.join(' | ')} |`,
    `|${headers.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...cells.slice(1).map((r) => `| ${r.join(' | ')} |`),
  ].join('\n')
}

/** Per runtime: each variant's throughput, its fraction of raw crypto.subtle, and the per-call medians beside. */
export function microTable(runtime: RuntimeMicro): string {
  const rows = runtime.results.flatMap((c) =>
    Object.keys(c.opsPerSecond).map((variant) => [
      variant === 'raw' ? `**${c.title}**: raw (floor)` : `${c.title}: ${variant}`,
      Math.round(c.opsPerSecond[variant]!).toLocaleString('en-US'),
      fixed(c.nsPerOp[variant]! / 1000),
      fixed(c.ratioToRaw[variant]),
      fixed(c.medianNsPerOp?.[variant]! / 1000),
      fixed(c.medianRatioToRaw?.[variant]),
      fixed(c.cpuRatioToRaw[variant]),
    ]),
  )
  return table(['operation / implementation', 'calls/s', 'µs/call', '× raw', 'median µs/call', '× raw (median)', '× raw (CPU)'], rows)
}

const find = (runtime: RuntimeMicro, id: string) => runtime.results.find((c) => c.id === id)
/** Median over rounds of (variant − floor) ns per call: what a variant adds to the floor ('raw'). */
const overFloor = (c: CaseResult, variant: string) => median(c.roundsNs[variant]!.map((t, r) => t - c.roundsNs.raw![r]!))

/** The measurements the targets and the headline table read, per runtime. */
export function keyFigures(runtime: RuntimeMicro) {
  const hs = find(runtime, 'hs512-validate')
  const cache = find(runtime, 'es512-cache')
  const mw = find(runtime, 'hs512-middleware')
  const events = find(runtime, 'events-middleware')
  const dpop = find(runtime, 'dpop-middleware')
  const dpopExtra = dpop && dpop.roundsNs.DPoP!.map((t, r) => t - dpop.roundsNs.bearer![r]!)
  return {
    vsNaiveMin: hs && speedup(hs, 'library', naiveMin),
    vsJose: hs && speedup(hs, 'library', 'jose'),
    /** The most any validator can be over jose here: naive-min's lead. */
    naiveMinVsJose: hs && speedup(hs, naiveMin, 'jose'),
    cacheSpeedup: cache && speedup(cache, 'library (cache hit)', 'library (cache off)'),
    cacheHitMicros: cache && cache.nsPerOp['library (cache hit)']! / 1000,
    authenticateMicros: mw && overFloor(mw, 'library') / 1000,
    authenticateHitMicros: mw && overFloor(mw, 'library (cache hit)') / 1000,
    honoJwtMicros: mw && overFloor(mw, 'hono') / 1000,
    honoJwtStringMicros: mw && overFloor(mw, 'hono (string secret)') / 1000,
    /** µs over no auth: valid token events off / on; bad signature events off / on (capped) / on (every one). */
    eventsMicros: events && ['valid token, events off', 'valid token, events on', 'bad signature, events off',
      'bad signature, events on (capped 60/min)', 'bad signature, events on (every one reported)'].map((v) => overFloor(events, v) / 1000),
    /** `authenticate`, DPoP-bound token with a fresh ES256 proof vs a bearer token: µs and requests/s each. */
    dpopMicros: dpop && dpop.nsPerOp.DPoP! / 1000,
    bearerMicros: dpop && dpop.nsPerOp.bearer! / 1000,
    dpopPerSecond: dpop?.opsPerSecond.DPoP,
    bearerPerSecond: dpop?.opsPerSecond.bearer,
    /** Median over rounds of DPoP ÷ bearer time per request. */
    dpopOverBearer: dpop && speedup(dpop, 'bearer', 'DPoP'),
    /** What DPoP adds per request (median over rounds of DPoP − bearer), and that in raw ES256 verifies of the same round. */
    dpopExtraMicros: dpopExtra && median(dpopExtra) / 1000,
    dpopExtraInVerifies: dpopExtra && median(dpopExtra.map((t, r) => t / dpop!.roundsNs[dpopRawVerify]![r]!)),
    es256VerifyMicros: dpop && dpop.nsPerOp[dpopRawVerify]! / 1000,
  }
}

/** The headline: one column per runtime, every ratio taken within this one run. */
export function headlineTable(runtimes: RuntimeMicro[]): string {
  const rows: string[][] = []
  const ratioRow = (label: string, id: string, variants: string[], pick: (c: CaseResult, v: string) => number | undefined = (c, v) => c.ratioToRaw[v]) =>
    rows.push([label, ...runtimes.map((r) => {
      const c = find(r, id)
      return c ? variants.map((v) => fixed(pick(c, v))).join(' / ') : '–'
    })])
  const figureRow = (label: string, cell: (f: ReturnType<typeof keyFigures>) => string) => rows.push([label, ...runtimes.map((r) => cell(keyFigures(r)))])
  ratioRow('HS512 validate: **edge-token-managers** ÷ raw', 'hs512-validate', ['library'])
  ratioRow('HS512 validate: naive-min (verify + JSON.parse, no checks) ÷ raw', 'hs512-validate', [naiveMin])
  ratioRow('HS512 validate: jose / hono/jwt ÷ raw', 'hs512-validate', ['jose', 'hono'])
  figureRow('HS512 validate: **edge-token-managers ÷ naive-min**', (f) => `${fixed(f.vsNaiveMin)}×`)
  figureRow('HS512 validate: **edge-token-managers ÷ jose**', (f) => `${fixed(f.vsJose)}×`)
  figureRow('HS512 validate: naive-min ÷ jose (the ceiling of the row above)', (f) => `${fixed(f.naiveMinVsJose)}×`)
  ratioRow('HS512 validate, per-call median: edge-token-managers / naive-min ÷ raw', 'hs512-validate', ['library', naiveMin], (c, v) => c.medianRatioToRaw?.[v])
  ratioRow('HS512 sign: edge-token-managers / jose / hono ÷ raw', 'hs512-sign', ['library', 'jose', 'hono'])
  ratioRow('ES512 validate: edge-token-managers / jose / hono ÷ raw', 'es512-validate', ['library', 'jose', 'hono'])
  ratioRow('ES512 sign: edge-token-managers / jose / hono ÷ raw', 'es512-sign', ['library', 'jose', 'hono'])
  figureRow('ES512 validate, same token again: cache hit ÷ cache off', (f) => `${f.cacheSpeedup ? Math.round(f.cacheSpeedup).toLocaleString('en-US') : '–'}×`)
  figureRow('ES512 validate, cache hit: µs per call', (f) => fixed(f.cacheHitMicros))
  figureRow('`authenticate` µs over no auth, valid token: events off / on', (f) => (f.eventsMicros ? f.eventsMicros.slice(0, 2).map((v) => fixed(v, 1)).join(' / ') : '–'))
  figureRow('`authenticate` µs over no auth, bad signature: events off / on (capped) / on (every one)', (f) => (f.eventsMicros ? f.eventsMicros.slice(2).map((v) => fixed(v, 1)).join(' / ') : '–'))
  figureRow('HS512 request, µs over no auth: `authenticate` / cache hit / hono/jwt', (f) => [f.authenticateMicros, f.authenticateHitMicros, f.honoJwtMicros].map((v) => fixed(v, 1)).join(' / '))
  figureRow('DPoP authenticate vs bearer (HS512 token, fresh ES256 proof), µs per request: DPoP / bearer', (f) => `${fixed(f.dpopMicros, 1)} / ${fixed(f.bearerMicros, 1)}`)
  figureRow('DPoP authenticate vs bearer, requests/s: DPoP / bearer', (f) => [f.dpopPerSecond, f.bearerPerSecond].map((v) => (v ? Math.round(v).toLocaleString('en-US') : '–')).join(' / '))
  figureRow('DPoP authenticate ÷ bearer, time per request', (f) => `${fixed(f.dpopOverBearer)}×`)
  figureRow('DPoP − bearer, µs per request (in raw ES256 verifies) / raw ES256 verify µs', (f) => `${fixed(f.dpopExtraMicros, 1)} (${fixed(f.dpopExtraInVerifies)}×) / ${fixed(f.es256VerifyMicros, 1)}`)
  ratioRow('session check without the DB (decode + peppered HMAC + compare) ÷ raw', 'session-validate', ['library'])
  rows.push(['raw HMAC-SHA512 verify, µs per call', ...runtimes.map((r) => fixed(find(r, 'hs512-validate')?.nsPerOp.raw! / 1000, 1))])
  return table(['throughput (calls/s, GC included) ÷ raw crypto.subtle', ...runtimes.map((r) => r.runtime)], rows)
}

export interface Verdict {
  target: string
  measured: string
  met: boolean
}

const loadOf = (stamped: { machine: { loadAverage: number[] } } | undefined) => (stamped ? ` (load ${stamped.machine.loadAverage.map((l) => l.toFixed(2)).join(' ')})` : '')

export function verdicts(results: Results): Verdict[] {
  const out: Verdict[] = []
  const add = (target: string, value: number | undefined, measured: (v: number) => string, met: (v: number) => boolean) => {
    if (value !== undefined && !Number.isNaN(value)) out.push({ target, measured: measured(value), met: met(value) })
  }
  const load = loadOf(results.micro)
  for (const runtime of results.micro?.runtimes ?? []) {
    const name = runtime.runtime
    const f = keyFigures(runtime)
    add(`${name}: HS512 validateToken ≥ 0.95× naive-min`, f.vsNaiveMin, (v) => `${fixed(v)}×${load}`, (v) => v >= 0.95)
    add(`${name}: HS512 validateToken ≥ 1.4× jose jwtVerify`, f.vsJose, (v) => `${fixed(v)}× (naive-min: ${fixed(f.naiveMinVsJose)}×)${load}`, (v) => v >= 1.4)
    const es = find(runtime, 'es512-validate')
    add(`${name}: ES512 validateToken ≥ 0.9× raw P-521 verify`, es?.ratioToRaw.library, (v) => `${fixed(v)}×`, (v) => v >= 0.9)
    add(`${name}: repeated ES512 validate (cache hit) ≥ 1000× uncached`, f.cacheSpeedup, (v) => `${Math.round(v).toLocaleString('en-US')}×`, (v) => v >= 1000)
    if (name.startsWith('node')) add(`${name}: verified-token cache hit ≤ 2 µs`, f.cacheHitMicros, (v) => `${fixed(v)} µs`, (v) => v <= 2)
    if (name.startsWith('node') || name === 'workerd') {
      const hono = f.honoJwtMicros!
      add(`${name}: \`authenticate\` HS512 (uncached) per request ≤ hono/jwt's`, f.authenticateMicros, (v) => `${fixed(v, 1)} vs ${fixed(hono, 1)} µs over no auth`, (v) => v <= hono)
      add(`${name}: \`authenticate\` cache hit ≤ 0.5× hono/jwt's`, f.authenticateHitMicros, (v) => `${fixed(v, 1)} vs ${fixed(hono, 1)} µs (${fixed(v / hono)}×)`, (v) => v <= 0.5 * hono)
    }
  }
  const memory = results.cacheMemory
  if (memory) out.push({ target: 'verified-token cache: memory per entry measured', measured: `${memory.bytesPerEntry} bytes per entry (token of ${memory.tokenLength} characters, ${memory.entries.toLocaleString('en-US')} entries, Node)`, met: true })
  for (const [driver, rows] of Object.entries(results.roundTrips?.drivers ?? {})) {
    const get = (op: string) => rows.find((r) => r.operation === op)?.roundTrips ?? Number.NaN
    const met = get('JWT validate') === 0 && get('session validate (lastUsedAt fresh)') === 1 && get('JWT issue (with onRefreshTokenCreated write)') === 1 &&
      get('session issue (with onSessionCreated write)') === 1 && get('JWT refresh') === 1 &&
      get('JWT refresh retry within grace window') === 1 && get('JWT revokeAll') === 1 && get('session revokeAll') === 1 &&
      get('JWT list') === 1 && get('session list') === 1
    out.push({ target: `round-trip budget on ${driver} (validate JWT 0 / session 1, issuing 1, refresh and grace retry 1, revoke 1, list 1)`, measured: met ? 'all within' : 'missed (see table)', met })
  }
  for (const size of results.sizes?.results ?? []) {
    if (size.budgetGzipBytes) out.push({ target: `${size.name} ≤ ${kb(size.budgetGzipBytes)} gzip`, measured: kb(size.gzipBytes), met: size.gzipBytes <= size.budgetGzipBytes })
  }
  const hsRoute = results.workerdCpu?.results.find((r) => r.route.startsWith('HS512 through'))
  if (hsRoute) out.push({ target: 'HS512 request CPU in workerd (through Miniflare) ≤ 1 ms', measured: `${fixed(hsRoute.cpuMicros / 1000, 3)} ms per request (${fixed(hsRoute.cpuOverNoopMicros / 1000, 3)} ms over a no-auth route)`, met: hsRoute.cpuMicros <= 1000 })
  const rows = results.scale?.rows ?? []
  if (rows.length >= 2) {
    const [first, last] = [rows[0]!, rows.at(-1)!]
    const growth = last.p50Ms / first.p50Ms
    const indexed = rows.every((r) => /Index Scan using auth_session_pkey/.test(r.plan))
    out.push({
      target: `session validation flat from ${first.rows.toLocaleString('en-US')} to ${last.rows.toLocaleString('en-US')} rows (p50 within 1.5×, index scan)`,
      measured: `p50 ${fixed(first.p50Ms, 3)} → ${fixed(last.p50Ms, 3)} ms (${fixed(growth)}×), ${indexed ? 'index scan at every size' : 'NO index scan'}`,
      met: growth <= 1.5 && indexed,
    })
  }
  const slow = results.slowLink
  const refresh = slow?.results.find((r) => r.operation === 'JWT refresh')
  if (slow && refresh) {
    out.push({
      target: `JWT refresh over a ${2 * slow.delayMs} ms link ≈ 1 round trip (p50 ≤ 1.5× a raw select 1)`,
      measured: `${fixed(refresh.roundTrips)}× (${fixed(refresh.p50Ms, 1)} ms)${loadOf(slow)}`,
      met: refresh.roundTrips <= 1.5,
    })
  }
  const sweep = results.sweep
  if (sweep) {
    const expired = sweep.expiredSessions + sweep.expiredRefreshTokens
    // Against both quiet runs: the worse ratio, so a quiet run slowed by the neighbours cannot flatter the sweep.
    const ratio = Math.max(sweep.p99Ratio, sweep.p99RatioAfter ?? 0)
    out.push({
      target: `sweep of ${expired.toLocaleString('en-US')} expired rows under load: all deleted, no statement at the deadline, p99 ≤ 2× quiet (before and after)`,
      measured: `${sweep.deleted.toLocaleString('en-US')} deleted in ${fixed(sweep.sweepSeconds, 0)} s, ${sweep.statementsOverDeadline} at the deadline, p99 ${fixed(sweep.p99Ratio)}× / ${fixed(sweep.p99RatioAfter)}×${loadOf(sweep)}`,
      met: sweep.deleted === expired && sweep.expiredLeft === 0 && sweep.statementsOverDeadline === 0 && sweep.rejected === 0 && ratio <= 2,
    })
  }
  return out
}

/**
 * The sweep section as one table: quiet against during, and what the sweep did.
 *
 * @example
 * ```ts
 * console.log(sweepTable(await measureSweep({ expiredSessions: 20_000, expiredRefreshTokens: 10_000 })))
 * ```
 */
export function sweepTable(r: SweepResult): string {
  const n = (v: number) => Math.round(v).toLocaleString('en-US')
  return table(['figure', 'value'], [
    ['expired rows (sessions + refresh tokens)', `${n(r.expiredSessions + r.expiredRefreshTokens)} (${n(r.expiredSessions)} + ${n(r.expiredRefreshTokens)})`],
    ['rows deleted / expired rows left / live sessions left', `${n(r.deleted)} / ${n(r.expiredLeft)} / ${r.liveLeft} of ${r.liveSessions}`],
    ['sweep wall time', `${fixed(r.sweepSeconds, 1)} s`],
    ['rows deleted per second', n(r.rowsPerSecond)],
    ['DELETE statements / slowest / at the 5 s deadline', `${n(r.statements)} / ${fixed(r.slowestStatementMs, 0)} ms / ${r.statementsOverDeadline}${r.sweepError ? ` (sweep failed: ${r.sweepError})` : ''}`],
    ['DELETE median, first tenth → last tenth of the sweep', `${fixed(r.firstTenthMedianMs, 0)} → ${fixed(r.lastTenthMedianMs, 0)} ms`],
    [`validate, ${r.clients} clients, quiet: p50 / p99 ms (ops/s)`, `${fixed(r.quiet.p50Ms)} / ${fixed(r.quiet.p99Ms)} (${n(r.quiet.throughput)})`],
    [`validate, ${r.clients} clients, during the sweep: p50 / p99 ms (ops/s)`, `${fixed(r.during.p50Ms)} / ${fixed(r.during.p99Ms)} (${n(r.during.throughput)})`],
    [`validate, ${r.clients} clients, quiet after: p50 / p99 ms (ops/s)`, `${fixed(r.quietAfter.p50Ms)} / ${fixed(r.quietAfter.p99Ms)} (${n(r.quietAfter.throughput)})`],
    ['p99 during ÷ quiet before / ÷ quiet after (target ≤ 2×)', `${fixed(r.p99Ratio)}× / ${fixed(r.p99RatioAfter)}×`],
    ['1-min load average at the end of quiet / during / quiet after', `${fixed(r.phaseLoad.quiet)} / ${fixed(r.phaseLoad.during)} / ${fixed(r.phaseLoad.quietAfter)}`],
    ['live validations rejected', String(r.rejected)],
  ])
}

export function verdictTable(results: Results): string {
  return table(['target', 'measured', 'met'], verdicts(results).map((v) => [v.target, v.measured, v.met ? 'yes' : '**no**']))
}
