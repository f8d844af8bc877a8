// The demo on Cloudflare Workers (`npx wrangler dev`, `npx wrangler deploy`), without nodejs_compat.
// The database is reached over HTTP with drizzle-orm/neon-http: DATABASE_URL is a Neon connection string
// or, locally, any Postgres URL behind `npm run db:http` (then set NEON_FETCH_ENDPOINT). Secrets come
// from Wrangler secrets / .dev.vars under the library's names. See the README's "Cloudflare Workers".
import { neon, neonConfig } from '@neondatabase/serverless'
import { drizzle } from 'drizzle-orm/neon-http'
import { cachePerEnv } from '../src/hono/index.ts'
import { createDemoApp } from './app.ts'
import page from './page/dist/index.html'
import { createDemoServices, type DemoEnv } from './services.ts'

export type WorkerEnv = DemoEnv & {
  DATABASE_URL: string
  /** e.g. `http://127.0.0.1:4444/sql` for `npm run db:http`; unset for Neon. */
  NEON_FETCH_ENDPOINT?: string
}

// Once per isolate, not per request: keys imported and the HTTP database client built on first use.
const servicesFor = cachePerEnv((env: WorkerEnv) => {
  const endpoint = env.NEON_FETCH_ENDPOINT
  if (endpoint) neonConfig.fetchEndpoint = () => endpoint
  return createDemoServices(drizzle(neon(env.DATABASE_URL)), env)
})

const app = createDemoApp({
  services: (c) => servicesFor(c.env as WorkerEnv),
  page,
  clientIp: (c) => c.req.header('cf-connecting-ip'),
})

export default {
  fetch: app.fetch,
  // The Cron Trigger in wrangler.toml: expired tokens never validate, but their rows stay until swept.
  async scheduled(_controller: unknown, env: WorkerEnv): Promise<void> {
    const deleted = await servicesFor(env).auth.tokenManager.deleteExpiredTokens()
    console.log(`deleted ${deleted} expired token rows`)
  },
}
