// `npm start`: the demo on Node with embedded PGlite (PostgreSQL in WASM) — no other service needed.
// Data and generated secrets live in DATA_DIR (default .data/). PORT (default 3000; 0 = any free port),
// HOST (default 127.0.0.1), and ACCESS_TOKEN_LIFETIME, AUTH_MODE etc. as in demo/services.ts.
import { PGlite } from '@electric-sql/pglite'
import { serve } from '@hono/node-server'
import { getConnInfo } from '@hono/node-server/conninfo'
import { drizzle } from 'drizzle-orm/pglite'
import { migrate } from 'drizzle-orm/pglite/migrator'
import { mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { AddressInfo } from 'node:net'
import { createDemoApp } from './app.ts'
import { migrateDemo } from './migrate.ts'
import { buildPage } from './page/build.ts'
import { loadOrCreateSecrets } from './secrets.ts'
import { createDemoServices } from './services.ts'
import { postgresStorage } from './storage.ts'

const dataDir = resolve(process.env.DATA_DIR ?? '.data')
await mkdir(dataDir, { recursive: true })
const client = new PGlite(join(dataDir, 'pglite'))
const db = drizzle(client)
await migrateDemo((folder) => migrate(db, folder))

const services = createDemoServices(postgresStorage(db), { ...(await loadOrCreateSecrets(dataDir)), ...process.env })
await services.auth.ready
const app = createDemoApp({
  services: () => services,
  page: await buildPage(),
  clientIp: (c) => getConnInfo(c).remote.address,
})

const port = Number(process.env.PORT ?? 3000)
const server = serve({ fetch: app.fetch, port, hostname: process.env.HOST ?? '127.0.0.1' }, (info: AddressInfo) => {
  const host = info.address === '127.0.0.1' || info.address === '::1' ? 'localhost' : info.address
  console.log(`edge-token-managers demo: http://${host}:${info.port}/ (data in ${dataDir})`)
})

// A taken port is a one-line fix, not a stack trace.
server.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EADDRINUSE') throw error
  console.error(`Port ${port} is in use. Start the demo on another one: PORT=3001 npm start`)
  void client.close().finally(() => process.exit(1))
})

// PGlite writes its files on close: shut down cleanly so the data folder stays consistent.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close()
    void client.close().finally(() => process.exit(0))
  })
}
