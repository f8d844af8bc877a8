// workerd through Miniflare: the suite bundled as a module Worker with no compatibility flags (so no
// nodejs_compat). `workerd` reaches the local Postgres through the Neon HTTP endpoint on 127.0.0.1;
// `workerd-d1` runs the SQLite cases on a real D1 binding, migrated from here before the first case.
import type { D1Database } from '@cloudflare/workers-types'
import { Miniflare } from 'miniflare'
import { join } from 'node:path'
import type { ConformanceReport } from '../conformance/index.ts'
import { applyD1Migrations } from '../support/drivers.ts'
import { bundle } from './bundle.ts'
import { runByRequest } from './by-request.ts'
import { neonHttpDatabase } from './server-database.ts'

type Bindings = Record<string, { type: 'text'; value: string } | { type: 'd1'; id: string }>

async function startWorker(entry: string, env: Bindings): Promise<Miniflare> {
  const script = await bundle(join(import.meta.dirname, entry), { format: 'esm', conditions: ['workerd', 'worker', 'browser'] })
  return new Miniflare({
    workers: [{
      config: {
        name: 'conformance',
        compatibilityDate: '2026-04-01',
        compatibilityFlags: [], // deliberately no nodejs_compat
        manifest: { mainModule: 'worker.js', modules: { 'worker.js': { type: 'esm', contents: script } } },
        env,
      },
    }],
  })
}

const dispatch = (mf: Miniflare) => (url: string) => mf.dispatchFetch(url) as unknown as Promise<Response>

/** The Postgres cases in workerd over neon-http. */
export async function runWorkerd(): Promise<ConformanceReport> {
  const database = await neonHttpDatabase('workerd')
  let mf: Miniflare | undefined
  try {
    mf = await startWorker('workerd-worker.ts', {
      DATABASE_URL: { type: 'text', value: database.databaseUrl },
      NEON_HTTP_ENDPOINT: { type: 'text', value: database.endpoint },
    })
    return await runByRequest(dispatch(mf))
  } finally {
    await mf?.dispose()
    await database.close()
  }
}

/** The SQLite cases in workerd on a D1 binding (in memory, gone with the Miniflare instance). */
export async function runWorkerdD1(): Promise<ConformanceReport> {
  const mf = await startWorker('d1-worker.ts', { DB: { type: 'd1', id: 'conformance' } })
  try {
    // The same binding the Worker gets: migrations applied as `wrangler d1 migrations apply` would.
    await applyD1Migrations((await mf.getD1Database('DB')) as unknown as D1Database)
    return await runByRequest(dispatch(mf))
  } finally {
    await mf.dispose()
  }
}
