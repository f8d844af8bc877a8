// Edge budgets, part 2: CPU per validated request in workerd. One Miniflare instance runs a Hono Worker;
// N sequential requests per route, in rotating rounds, against a no-auth route returning the same JSON.
// CPU comes from the kernel's accounting of the workerd process (/proc/<pid>/task/*/schedstat, ns, all
// threads), so it excludes time spent waiting; wall time is measured from outside as a cross-check.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import { startNeonHttpServer } from '../../scripts/neon-http/server.ts'
import { createServerDatabase } from '../../test/support/postgres.ts'
import { median } from '../micro/rounds.ts'

const routeNames: Record<string, string> = {
  'noop': 'GET /noop (same JSON, no auth)',
  'hs512-direct': 'HS512 validateToken called directly (no middleware)',
  'hs512': 'HS512 through authenticate()',
  'es512': 'ES512 through authenticate()',
  'session': 'session through authenticate() (+ neon-http lookup)',
  'hs512-events': 'HS512 through authenticate(), events on (valid token: no event)',
  'hs512-bad': 'HS512, bad signature (401), events off',
  'hs512-bad-events': 'HS512, bad signature (401), events on (each reported)',
}

/** Every route, in the order measured; `routes` picks some (the events section: noop and the HS512 ones). */
export const workerdRoutes = Object.keys(routeNames)
const expectedStatus = (route: string) => (route.includes('-bad') ? 401 : 200)

export interface WorkerdCpuResult {
  route: string
  requestsPerRound: number
  rounds: number
  /** Median per request, µs. */
  cpuMicros: number
  wallMicros: number
  /** Median over rounds of (route − /noop) per request, µs: what authentication adds. */
  cpuOverNoopMicros: number
  wallOverNoopMicros: number
}

function childPids(parent: number, name: string): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((d) => {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8')
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      return ppid === parent && comm.startsWith(name) ? [Number(d)] : []
    } catch {
      return []
    }
  })
}

/** CPU ns consumed so far by every thread of these processes. */
function cpuNs(pids: number[]): number {
  let total = 0
  for (const pid of pids) {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        total += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0])
      } catch {
        // a thread that ended between the listing and the read
      }
    }
  }
  return total
}

const randomText = (bytes: number) => Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('base64url')

export async function measureWorkerdCpu({ rounds = 9, requests = 300, log = console.log, routes = workerdRoutes } = {}): Promise<WorkerdCpuResult[]> {
  const database = await createServerDatabase('bench_workerd')
  const endpoint = await startNeonHttpServer({ port: 0 })
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-521' }, true, ['sign', 'verify'])
  const script = (await build({
    entryPoints: [join(import.meta.dirname, 'cpu-worker.ts')],
    bundle: true, write: false, minify: true, platform: 'browser', format: 'esm', target: 'es2022', logLevel: 'error',
    conditions: ['workerd', 'worker', 'browser'],
  })).outputFiles[0]!.text
  const before = new Set(childPids(process.pid, 'workerd'))
  const mf = new Miniflare({
    workers: [{
      config: {
        name: 'cpu',
        compatibilityDate: '2025-09-01',
        compatibilityFlags: [],
        manifest: { mainModule: 'worker.js', modules: { 'worker.js': { type: 'esm', contents: script } } },
        env: Object.fromEntries(Object.entries({
          DATABASE_URL: database.url,
          NEON_FETCH_ENDPOINT: endpoint.url,
          HS512_SECRET: randomText(64),
          ES512_PRIVATE_JWK: JSON.stringify(await crypto.subtle.exportKey('jwk', pair.privateKey)),
          ES512_PUBLIC_JWK: JSON.stringify(await crypto.subtle.exportKey('jwk', pair.publicKey)),
          PEPPER: randomText(32),
        }).map(([k, v]) => [k, { type: 'text' as const, value: v }])),
      },
    }],
  })
  try {
    await mf.ready
    const pids = childPids(process.pid, 'workerd').filter((p) => !before.has(p))
    if (pids.length === 0) throw new Error('workerd process not found')
    const tokens: Record<string, string> = {}
    for (const kind of ['hs512', 'es512', 'session']) {
      const response = await mf.dispatchFetch(`http://bench.local/issue/${kind}`, { method: 'POST' })
      if (!response.ok) throw new Error(`issue ${kind}: ${response.status} ${await response.text()}`)
      tokens[kind] = ((await response.json()) as { token: string }).token
    }
    // A middle character of the HS512 signature changed: the right shape, the wrong signature.
    const at = tokens.hs512!.lastIndexOf('.') + 20
    const bad = tokens.hs512!.slice(0, at) + (tokens.hs512![at] === 'A' ? 'B' : 'A') + tokens.hs512!.slice(at + 1)
    const tokenFor = (route: string) => (route.includes('-bad') ? bad : tokens[route.replace(/-direct|-events/, '')])
    const call = async (route: string) => {
      const token = tokenFor(route)
      const response = await mf.dispatchFetch(`http://bench.local/${route}`, { headers: token ? { authorization: `Bearer ${token}` } : {} })
      const body = await response.text()
      if (response.status !== expectedStatus(route)) throw new Error(`${route}: ${response.status} ${body}`)
    }
    for (const route of routes) for (let i = 0; i < 100; i++) await call(route)

    const cpu = new Map(routes.map((r) => [r, [] as number[]]))
    const wall = new Map(routes.map((r) => [r, [] as number[]]))
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < routes.length; k++) {
        const route = routes[(k + round) % routes.length]!
        const n = route === 'es512' ? Math.ceil(requests / 3) : requests
        const c0 = cpuNs(pids)
        const t0 = performance.now()
        for (let i = 0; i < n; i++) await call(route)
        wall.get(route)!.push(((performance.now() - t0) * 1000) / n)
        cpu.get(route)!.push((cpuNs(pids) - c0) / 1000 / n)
      }
      log(`  workerd cpu round ${round + 1}/${rounds}`)
    }
    return routes.map((route) => ({
      route: routeNames[route]!,
      requestsPerRound: route === 'es512' ? Math.ceil(requests / 3) : requests,
      rounds,
      cpuMicros: median(cpu.get(route)!),
      wallMicros: median(wall.get(route)!),
      cpuOverNoopMicros: median(cpu.get(route)!.map((v, r) => v - cpu.get('noop')![r]!)),
      wallOverNoopMicros: median(wall.get(route)!.map((v, r) => v - wall.get('noop')![r]!)),
    }))
  } finally {
    await mf.dispose()
    await endpoint.close()
    await database.drop()
  }
}

if (import.meta.main) {
  for (const r of await measureWorkerdCpu({ rounds: 3, requests: 200 })) {
    console.log(`${r.route.padEnd(48)} cpu ${r.cpuMicros.toFixed(0)} µs (+${r.cpuOverNoopMicros.toFixed(0)})  wall ${r.wallMicros.toFixed(0)} µs (+${r.wallOverNoopMicros.toFixed(0)})`)
  }
}
