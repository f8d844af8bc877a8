// The demo on Cloudflare Workers (`npx wrangler dev`, `npx wrangler deploy`), without nodejs_compat.
// Storage: the D1 binding `DB` (local D1 under `wrangler dev`; migrations in wrangler.toml), unless
// DATABASE_URL is set: then Postgres over HTTP with drizzle-orm/neon-http (a Neon connection string, or
// locally any Postgres URL behind `npm run db:http` with NEON_FETCH_ENDPOINT). Secrets come from Wrangler
// secrets / .dev.vars under the library's names. See docs/runtimes.md, "Cloudflare D1".
import type { D1Database } from '@cloudflare/workers-types'
import { neon, neonConfig } from '@neondatabase/serverless'
import { drizzle as drizzleD1 } from 'drizzle-orm/d1'
import { drizzle as drizzleNeon } from 'drizzle-orm/neon-http'
import type { Context } from 'hono'
import { cachePerEnv } from '../src/hono/index.ts'
import { createDemoApp } from './app.ts'
import page from './page/dist/index.html'
import { createDemoServices, type DemoEnv, type DemoServices } from './services.ts'
import { postgresStorage, sqliteStorage } from './storage.ts'

export type WorkerEnv = DemoEnv & {
  /** The D1 database (wrangler.toml); used when DATABASE_URL is unset. */
  DB?: D1Database
  /** Postgres instead of D1: a Neon connection string, or a local URL behind `npm run db:http`. */
  DATABASE_URL?: string
  /** e.g. `http://127.0.0.1:4444/sql` for `npm run db:http`; unset for Neon. */
  NEON_FETCH_ENDPOINT?: string
}

// Postgres: once per isolate, not per request (keys imported and the HTTP client built on first use).
const postgresServices = cachePerEnv((env: WorkerEnv) => {
  const endpoint = env.NEON_FETCH_ENDPOINT
  if (endpoint) neonConfig.fetchEndpoint = () => endpoint
  return createDemoServices(postgresStorage(drizzleNeon(neon(env.DATABASE_URL!))), env)
})

// D1: per request, on a D1 session whose first query goes to the primary. With read replication on, a
// replica may lag; this way nothing revoked or spent before the request began validates in it. The price
// is the key imports per request (~0.15 ms, measured on Node) and no cache of validated tokens across requests.
const d1Services = (env: WorkerEnv): DemoServices => {
  if (!env.DB) throw new Error('No database: bind D1 as DB in wrangler.toml, or set DATABASE_URL for Postgres.')
  // A session has everything Drizzle uses of a binding (prepare, batch); its type lacks the rest.
  return createDemoServices(sqliteStorage(drizzleD1(env.DB.withSession('first-primary') as unknown as D1Database)), env)
}

const perRequest = new WeakMap<Request, DemoServices>()
const servicesFor = (c: Context): DemoServices => {
  const env = c.env as WorkerEnv
  if (env.DATABASE_URL) return postgresServices(env)
  let services = perRequest.get(c.req.raw)
  if (!services) perRequest.set(c.req.raw, (services = d1Services(env)))
  return services
}

const app = createDemoApp({
  services: servicesFor,
  page,
  clientIp: (c) => c.req.header('cf-connecting-ip'),
})

export default {
  fetch: app.fetch,
  // The Cron Trigger in wrangler.toml: expired tokens never validate, but their rows stay until swept.
  async scheduled(_controller: unknown, env: WorkerEnv): Promise<void> {
    const services = env.DATABASE_URL ? postgresServices(env) : d1Services(env)
    const deleted = await services.auth.tokenManager.deleteExpiredTokens()
    console.log(`deleted ${deleted} expired token rows`)
  },
}
