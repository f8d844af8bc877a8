// Vercel's Edge Runtime: the suite bundled for the `edge-light` condition and evaluated in EdgeVM (the
// sandbox `edge-runtime` and `next dev` use), reaching Postgres through the Neon HTTP endpoint.
// EdgeVM borrows Node's Web Crypto, so this proves the API surface, not Vercel's production crypto.
import { EdgeVM } from '@edge-runtime/vm'
import { join } from 'node:path'
import type { ConformanceReport } from '../conformance/index.ts'
import { bundle } from './bundle.ts'
import { runByRequest } from './by-request.ts'
import { neonHttpDatabase } from './server-database.ts'

export async function runEdge(): Promise<ConformanceReport> {
  const code = await bundle(join(import.meta.dirname, 'edge-entry.ts'), { format: 'iife', conditions: ['edge-light', 'worker', 'browser'] })
  const database = await neonHttpDatabase('edge')
  try {
    const target = { runtime: 'edge', databaseUrl: database.databaseUrl, endpoint: database.endpoint }
    const vm = new EdgeVM({ initialCode: `globalThis.CONFORMANCE_TARGET = ${JSON.stringify(target)};\n${code}` })
    return await runByRequest((url) => vm.dispatchFetch(url) as unknown as Promise<Response>)
  } finally {
    await database.close()
  }
}
