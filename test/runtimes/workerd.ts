// workerd through Miniflare: the suite bundled as a module Worker with no compatibility flags (so no
// nodejs_compat), reaching the local Postgres through the Neon HTTP endpoint on 127.0.0.1.
import { Miniflare } from 'miniflare'
import { join } from 'node:path'
import type { ConformanceReport } from '../conformance/index.ts'
import { bundle } from './bundle.ts'
import { runByRequest } from './by-request.ts'
import { neonHttpDatabase } from './server-database.ts'

export async function runWorkerd(): Promise<ConformanceReport> {
  const script = await bundle(join(import.meta.dirname, 'workerd-worker.ts'), { format: 'esm', conditions: ['workerd', 'worker', 'browser'] })
  const database = await neonHttpDatabase('workerd')
  const mf = new Miniflare({
    workers: [{
      config: {
        name: 'conformance',
        compatibilityDate: '2026-04-01',
        compatibilityFlags: [], // deliberately no nodejs_compat
        manifest: { mainModule: 'worker.js', modules: { 'worker.js': { type: 'esm', contents: script } } },
        env: {
          DATABASE_URL: { type: 'text', value: database.databaseUrl },
          NEON_HTTP_ENDPOINT: { type: 'text', value: database.endpoint },
        },
      },
    }],
  })
  try {
    return await runByRequest((url) => mf.dispatchFetch(url) as unknown as Promise<Response>)
  } finally {
    await mf.dispose()
    await database.close()
  }
}
