// The module Worker that runs the SQLite conformance cases in workerd on a real D1 binding (Miniflare's
// `d1Databases`, migrated by the runner with the shipped SQLite migrations): sqliteTokenStore over
// drizzle-orm/d1, one case per request, no nodejs_compat.
import type { D1Database } from '@cloudflare/workers-types'
import { drizzle } from 'drizzle-orm/d1'
import { sqliteTokenStore } from 'edge-token-managers/sqlite'
import { runConformance, type ConformanceContext } from '../conformance/index.ts'
import { serveConformanceCases } from './serve-cases.ts'

interface Env {
  DB: D1Database
}

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    return serveConformanceCases(request, 'sqlite', (index, features) => {
      const db = drizzle(env.DB)
      // The cases type their database as a Postgres one; with `store` set they only hand it back to it.
      return runConformance({
        runtime: 'workerd-d1', driver: 'd1', dialect: 'sqlite', features, indexes: [index],
        db: db as unknown as ConformanceContext['db'], store: () => sqliteTokenStore(db),
      })
    })
  },
}
