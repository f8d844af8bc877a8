// A real database whose line can be cut: a fresh database on the shared Postgres server, reached
// through a TCP proxy (node-postgres), or through the local Neon HTTP endpoint with one proxy in front
// of the endpoint and one between the endpoint and Postgres (neon-http). The server itself is never
// stopped: other test files run against it at the same time.
import { neon, neonConfig } from '@neondatabase/serverless'
import { drizzle as drizzleNeonHttp } from 'drizzle-orm/neon-http'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import { startNeonHttpServer } from '../../scripts/neon-http/server.ts'
import type { AnyPgDatabase } from '../../src/drizzle/index.ts'
import { createServerDatabase, serverUrl } from './postgres.ts'
import { startTcpProxy, type ProxyMode, type TcpProxy } from './tcp-proxy.ts'

export type FaultyDriver = 'node-postgres' | 'neon-http'

/** Where to cut: between the driver's side and Postgres, or (neon-http only) in front of the HTTP endpoint. */
export type FaultPoint = 'database' | 'endpoint'

export interface FaultyDatabase {
  driver: FaultyDriver
  /** The database the code under test uses: every byte of it goes through the proxies. */
  db: AnyPgDatabase
  /** Runs SQL on a separate, direct connection: inspects rows while the proxied line is cut. */
  query(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>
  /**
   * Cuts (`refuse`) or degrades (`swallow-responses`, `half-open`, `slow`) the line at `point`; `open`
   * restores it (`strand`: connections that lost bytes while half-open stay dead, see TcpProxy).
   */
  setMode(mode: ProxyMode, point?: FaultPoint, options?: { strand?: boolean }): void
  /** `'error'` events the node-postgres pool emitted (idle clients that lost their connection). */
  readonly poolErrors: number
  /** Faults injected so far, over every proxy. */
  readonly faults: number
  /** The proxy between the driver's side and Postgres. */
  readonly proxy: TcpProxy
  /** neon-http only: the proxy in front of the HTTP endpoint. */
  readonly endpointProxy: TcpProxy | undefined
  /** The database's direct URL (no proxy), for side connections. */
  readonly url: string
  close(): Promise<void>
}

/** How long a query whose answer never comes may hang before the driver gives up (swallow mode). */
export const lostResponseTimeoutMs = 1_000

/**
 * How the driver is wired: `test` gives it short deadlines of its own; `readme` is the wiring docs/configuration.md
 * prints for production (node-postgres: its pool options; neon-http: the Workers wiring, nothing but the library's deadline).
 */
export type Wiring = 'test' | 'readme'

/** The node-postgres pool options docs/configuration.md prints (keep the two in step). */
export const readmePoolOptions = {
  max: 10,
  connectionTimeoutMillis: 5_000,
  statement_timeout: 5_000,
  query_timeout: 6_000,
  keepAlive: true,
  keepAliveInitialDelayMillis: 10_000,
  idleTimeoutMillis: 30_000,
} satisfies pg.PoolConfig

function withPort(url: string, port: number): string {
  const u = new URL(url)
  u.hostname = '127.0.0.1'
  u.port = String(port)
  return u.toString()
}

/**
 * @example
 * ```ts
 * const database = await openFaultyDatabase('neon-http')
 * database.setMode('refuse')          // Postgres unreachable from the endpoint
 * database.setMode('refuse', 'endpoint') // the endpoint itself unreachable
 * database.setMode('open')            // both restored
 * ```
 */
export async function openFaultyDatabase(driver: FaultyDriver, { wiring = 'test' }: { wiring?: Wiring } = {}): Promise<FaultyDatabase> {
  const database = await createServerDatabase(`fault_${driver}`)
  const server = new URL(serverUrl)
  const toPostgres = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) })
  const proxiedUrl = withPort(database.url, toPostgres.port)
  const direct = new pg.Pool({ connectionString: database.url, max: 4 })
  const proxies: TcpProxy[] = [toPostgres]
  const closers: (() => Promise<unknown>)[] = []
  let poolErrors = 0

  let db: AnyPgDatabase
  if (driver === 'node-postgres') {
    const options = wiring === 'readme' ? readmePoolOptions : { max: 10, connectionTimeoutMillis: 2_000, query_timeout: lostResponseTimeoutMs }
    const pool = new pg.Pool({ connectionString: proxiedUrl, ...options })
    // An idle client whose socket is cut emits 'error' on the pool; unhandled, it would crash the worker.
    pool.on('error', () => void poolErrors++)
    db = drizzlePg(pool)
    closers.push(() => pool.end())
  } else {
    const endpoint = await startNeonHttpServer({ port: 0 })
    const toEndpoint = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(endpoint.url).port) })
    proxies.push(toEndpoint)
    neonConfig.fetchEndpoint = () => `http://127.0.0.1:${toEndpoint.port}/sql`
    // The test wiring gives each fetch a short deadline of its own; the README's relies on the library's.
    neonConfig.fetchFunction = wiring === 'readme' ? undefined
      : (url: string, init: RequestInit) => fetch(url, { ...init, signal: AbortSignal.timeout(lostResponseTimeoutMs) })
    db = drizzleNeonHttp(neon(proxiedUrl))
    closers.push(() => endpoint.close())
  }

  return {
    driver,
    db,
    query: async (text, params) => (await direct.query(text, params)).rows,
    setMode(mode, point = 'database', options) {
      if (mode === 'open') return proxies.forEach((p) => p.setMode('open', options))
      const proxy = point === 'database' ? toPostgres : proxies[1]
      if (!proxy) throw new Error(`no ${point} proxy on ${driver}`)
      proxy.setMode(mode)
    },
    get faults() {
      return proxies.reduce((sum, p) => sum + p.faults, 0)
    },
    get poolErrors() {
      return poolErrors
    },
    proxy: toPostgres,
    endpointProxy: proxies[1],
    url: database.url,
    async close() {
      proxies.forEach((p) => p.setMode('open'))
      for (const close of closers) await close().catch(() => {})
      await Promise.all(proxies.map((p) => p.close()))
      await direct.end()
      await database.drop()
    },
  }
}
