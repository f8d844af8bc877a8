// Text and Markdown renderings of the results, and the verdict on each target of issue 7.
import type { RuntimeMicro } from './micro/runtimes.ts'
import { speedup } from './micro/rounds.ts'
import type { Results } from './results.ts'

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

/** Per runtime: each variant's ops/s and its throughput as a fraction of raw crypto.subtle. */
export function microTable(runtime: RuntimeMicro): string {
  const rows = runtime.results.flatMap((c) =>
    Object.keys(c.opsPerSecond).map((variant) => [
      variant === 'raw' ? `**${c.title}**: raw crypto.subtle` : `${c.title}: ${variant}`,
      Math.round(c.opsPerSecond[variant]!).toLocaleString('en-US'),
      fixed(c.ratioToRaw[variant]),
      fixed(c.cpuRatioToRaw[variant]),
    ]),
  )
  return table(['operation / implementation', 'ops/s (median)', '× raw (wall)', '× raw (CPU)'], rows)
}

const naive = 'naive (verify + JSON.parse, no checks)'

/** The headline: library, jose, hono (and a check-free verify) as fractions of raw, one column per runtime. */
export function headlineTable(runtimes: RuntimeMicro[]): string {
  const ids = ['hs512-validate', 'hs512-sign', 'es512-validate', 'es512-sign', 'session-validate']
  const rows: string[][] = []
  for (const id of ids) {
    for (const variant of ['library', 'jose', 'hono', naive]) {
      const cells = runtimes.map((r) => r.results.find((c) => c.id === id)?.ratioToRaw[variant])
      if (cells.every((v) => v === undefined)) continue
      const title = runtimes[0]!.results.find((c) => c.id === id)!.title.replace(/ \(.*\)$/, '')
      rows.push([`${title}: ${variant === 'library' ? '**edge-token-managers**' : variant}`, ...cells.map((v) => fixed(v))])
    }
  }
  rows.push(['HS512 validate: edge-token-managers ÷ jose', ...runtimes.map((r) => {
    const hs = r.results.find((c) => c.id === 'hs512-validate')
    return hs ? `${fixed(speedup(hs, 'library', 'jose'))}×` : '–'
  })])
  return table(['throughput ÷ raw crypto.subtle', ...runtimes.map((r) => r.runtime)], rows)
}

export interface Verdict {
  target: string
  measured: string
  met: boolean
}

export function verdicts(results: Results): Verdict[] {
  const out: Verdict[] = []
  for (const runtime of results.micro?.runtimes ?? []) {
    const hs = runtime.results.find((c) => c.id === 'hs512-validate')
    const es = runtime.results.find((c) => c.id === 'es512-validate')
    if (hs) {
      const ratio = hs.ratioToRaw.library!
      out.push({ target: `${runtime.runtime}: HS512 validateToken ≥ 0.8× raw subtle.verify`, measured: `${fixed(ratio)}×`, met: ratio >= 0.8 })
      const vsJose = speedup(hs, 'library', 'jose')
      out.push({ target: `${runtime.runtime}: HS512 validateToken ≥ 1.8× jose jwtVerify`, measured: `${fixed(vsJose)}×`, met: vsJose >= 1.8 })
    }
    if (es) {
      const ratio = es.ratioToRaw.library!
      out.push({ target: `${runtime.runtime}: ES512 validateToken ≥ 0.9× raw P-521 verify`, measured: `${fixed(ratio)}×`, met: ratio >= 0.9 })
    }
  }
  for (const [driver, rows] of Object.entries(results.roundTrips?.drivers ?? {})) {
    const get = (op: string) => rows.find((r) => r.operation === op)?.roundTrips ?? Number.NaN
    const met = get('JWT validate') === 0 && get('session validate (lastUsedAt fresh)') === 1 && get('JWT issue (with onRefreshTokenCreated write)') === 1 &&
      get('session issue (with onSessionCreated write)') === 1 && get('JWT refresh') <= 2 && get('JWT revokeAll') === 1 && get('session revokeAll') === 1 &&
      get('JWT list') === 1 && get('session list') === 1
    out.push({ target: `round-trip budget on ${driver} (0/1/1/≤2/1/1)`, measured: met ? 'all within' : 'missed (see table)', met })
  }
  for (const size of results.sizes?.results ?? []) {
    if (size.budgetGzipBytes) out.push({ target: `${size.name} ≤ ${kb(size.budgetGzipBytes)} gzip`, measured: kb(size.gzipBytes), met: size.gzipBytes <= size.budgetGzipBytes })
  }
  const hsRoute = results.workerdCpu?.results.find((r) => r.route.startsWith('HS512 through'))
  if (hsRoute) out.push({ target: 'HS512 request CPU in workerd ≤ 1 ms', measured: `${fixed(hsRoute.cpuMicros / 1000, 3)} ms per request (${fixed(hsRoute.cpuOverNoopMicros / 1000, 3)} ms over a no-auth route)`, met: hsRoute.cpuMicros <= 1000 })
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
  return out
}

export function verdictTable(results: Results): string {
  return table(['target', 'measured', 'met'], verdicts(results).map((v) => [v.target, v.measured, v.met ? 'yes' : '**no**']))
}
