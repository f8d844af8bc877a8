// Requests per second through a loopback HTTP server (its own process, bench/scale/http-server.ts) on
// node-postgres, at 1, 16 and 64 concurrent keep-alive clients, over 10⁵ stored sessions: the one-round-
// trip floor (a raw primary-key select), the same select through Drizzle, and authenticate() with a
// session (validation cache off and on) and with a JWT. Ratios are within this one run.
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import pg from 'pg'
import { createServerDatabase } from '../../test/support/postgres.ts'
import { table } from '../report.ts'
import { closedLoop, type LatencySummary } from './latency.ts'

export const httpRoutes = ['floor', 'drizzle', 'session', 'session-cached', 'jwt'] as const
export interface HttpResult extends LatencySummary {
  route: (typeof httpRoutes)[number]
  clients: number
}

async function startServer(databaseUrl: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'http-server.ts')], {
    env: { ...process.env, BENCH_DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const found = /port (\d+)/.exec(chunk.toString())
      if (found) resolve(found[1]!)
    })
    child.on('exit', (code) => reject(new Error(`bench server exited with ${code}`)))
  })
  return { url: `http://127.0.0.1:${port}`, child }
}

export async function measureHttp({ levels = [1, 16, 64], durationMs = 3_000, rows = 100_000, log = console.log } = {}): Promise<HttpResult[]> {
  const database = await createServerDatabase('bench_http')
  const direct = new pg.Pool({ connectionString: database.url, max: 2 })
  direct.on('error', () => {})
  const server = await startServer(database.url)
  try {
    await direct.query(
      `insert into auth_session (id, auth_user_id, method, scope_names, secret_hash, created_at, last_used_at)
       select gen_random_uuid(), 'user-' || (g % 50000), 'email', '{}', decode(md5(g::text) || md5((-g)::text), 'hex'), now(), now()
       from generate_series(1, $1::int) g`,
      [rows],
    )
    await direct.query('analyze auth_session')
    const issue = async (kind: string) =>
      (await (await fetch(`${server.url}/issue`, { method: 'POST', body: JSON.stringify({ kind, count: 200 }) })).json()) as { token: string; id: string }[]
    const sessions = await issue('session')
    const cachedSessions = await issue('session-cached')
    const jwts = await issue('jwt')
    const request: Record<HttpResult['route'], (i: number) => Request> = {
      floor: (i) => new Request(`${server.url}/floor/${sessions[i % sessions.length]!.id}`),
      drizzle: (i) => new Request(`${server.url}/drizzle/${sessions[i % sessions.length]!.id}`),
      session: (i) => new Request(`${server.url}/session`, { headers: { authorization: `Bearer ${sessions[i % sessions.length]!.token}` } }),
      'session-cached': (i) => new Request(`${server.url}/session-cached`, { headers: { authorization: `Bearer ${cachedSessions[i % cachedSessions.length]!.token}` } }),
      jwt: (i) => new Request(`${server.url}/jwt`, { headers: { authorization: `Bearer ${jwts[i % jwts.length]!.token}` } }),
    }
    const results: HttpResult[] = []
    for (const clients of levels) {
      for (const route of httpRoutes) {
        const call = async (client: number, i: number) => {
          const response = await fetch(request[route](client * 31 + i))
          await response.arrayBuffer()
          if (!response.ok) throw new Error(`${route}: ${response.status}`)
        }
        await closedLoop(clients, Math.min(500, durationMs), call) // warm: connections, JIT, caches
        results.push({ route, clients, ...(await closedLoop(clients, durationMs, call)) })
        log(`http ${route} ×${clients}: ${results.at(-1)!.throughput.toFixed(0)} req/s`)
      }
    }
    return results
  } finally {
    await new Promise((resolve) => server.child.once('exit', resolve).kill())
    await direct.end()
    await database.drop()
  }
}

/** One row per concurrency: req/s (p50/p99 ms) of each route, and the ratios the targets are about. */
export function httpTable(results: HttpResult[]): string {
  const levels = [...new Set(results.map((r) => r.clients))]
  const at = (route: HttpResult['route'], clients: number) => results.find((r) => r.route === route && r.clients === clients)!
  const cell = (r: HttpResult) => `${r.throughput.toFixed(0)} (${r.p50Ms.toFixed(2)}/${r.p99Ms.toFixed(2)})`
  return table(
    ['clients', ...httpRoutes.map((route) => `${route} req/s (p50/p99 ms)`), 'session ÷ floor', 'session-cached ÷ jwt'],
    levels.map((clients) => [
      String(clients), ...httpRoutes.map((route) => cell(at(route, clients))),
      (at('session', clients).throughput / at('floor', clients).throughput).toFixed(2),
      (at('session-cached', clients).throughput / at('jwt', clients).throughput).toFixed(2),
    ]),
  )
}
