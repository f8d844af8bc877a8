// The real demo app (demo/app.ts, its page bundled with the real client) on an in-memory PGlite, served by
// @hono/node-server on a free port, with short access tokens. It logs every request the browser makes,
// so tests count refreshes and see each call's status.
import { PGlite } from '@electric-sql/pglite'
import { serve } from '@hono/node-server'
import { getConnInfo } from '@hono/node-server/conninfo'
import { drizzle } from 'drizzle-orm/pglite'
import { migrate } from 'drizzle-orm/pglite/migrator'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { createDemoApp } from '../../demo/app.ts'
import { migrateDemo } from '../../demo/migrate.ts'
import { buildPage } from '../../demo/page/build.ts'
import { createDemoServices, type DemoAuthMode } from '../../demo/services.ts'
import { postgresStorage } from '../../demo/storage.ts'
import type { TokenCookiesOptions } from '../../src/hono/index.ts'
import { secrets } from '../support/auth.ts'

export interface Exchange {
  method: string
  path: string
  status: number
}

export interface DemoServerOptions {
  accessTokenLifetime: string
  /** `REFRESH_TOKEN_ROTATION_GRACE_PERIOD`; the demo's default (10 s) without. */
  gracePeriod?: string
  /** `AUTH_MODE`: `'cookie'` (the demo's default) or `'dpop'`. */
  authMode?: DemoAuthMode
  /** Cookie names and paths; the library's defaults without. */
  cookies?: TokenCookiesOptions
  /** Serve HTTPS with this key and certificate, at `https://<host>:<port>` (the host mapped to 127.0.0.1). */
  https?: { key: string; cert: string; host: string }
}

export async function startDemo({ accessTokenLifetime, gracePeriod, authMode, cookies, https }: DemoServerOptions) {
  const client = new PGlite()
  const db = drizzle(client)
  await migrateDemo((folder) => migrate(db, folder))
  const services = createDemoServices(postgresStorage(db), {
    jwtHmacSha512PrivateKey: secrets.hmac,
    jwtRefreshTokenHashPepper: secrets.refreshPepper,
    serverSideSessionKeyHashPepper: secrets.sessionPepper,
    ACCESS_TOKEN_LIFETIME: accessTokenLifetime,
    ...(gracePeriod !== undefined && { REFRESH_TOKEN_ROTATION_GRACE_PERIOD: gracePeriod }),
    ...(authMode !== undefined && { AUTH_MODE: authMode }),
  })
  await services.auth.ready
  const app = createDemoApp({ services: () => services, page: await buildPage(), clientIp: (c) => getConnInfo(c).remote.address, ...(cookies && { cookies }) })

  const exchanges: Exchange[] = []
  const server = serve({
    port: 0,
    hostname: '127.0.0.1',
    ...(https && { createServer, serverOptions: { key: https.key, cert: https.cert } }),
    fetch: async (request, env) => {
      const response = await app.fetch(request, env)
      exchanges.push({ method: request.method, path: new URL(request.url).pathname, status: response.status })
      return response
    },
  })
  await new Promise<void>((resolve) => server.once('listening', resolve))
  // 127.0.0.1 is a secure context for Chromium, so the page has Web Locks.
  const port = (server.address() as AddressInfo).port
  const url = https ? `https://${https.host}:${port}` : `http://127.0.0.1:${port}`

  return {
    url,
    port,
    services,
    exchanges,
    /** The requests to `method path` so far, as their statuses. */
    statuses: (method: string, path: string) => exchanges.filter((e) => e.method === method && e.path === path).map((e) => e.status),
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await client.close()
    },
  }
}
