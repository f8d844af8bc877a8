// The conformance suite over neon-http, for runtimes that run a bundle and answer requests (workerd,
// Edge Runtime). Portable like the suite itself: Web APIs only. One case per request (serve-cases.ts).
import { neon, neonConfig } from '@neondatabase/serverless'
import { drizzle } from 'drizzle-orm/neon-http'
import { runConformance } from '../conformance/index.ts'
import { serveConformanceCases } from './serve-cases.ts'

export interface NeonTarget {
  runtime: string
  /** `postgres://…` of the database the endpoint forwards to. */
  databaseUrl: string
  /** `http://127.0.0.1:<port>/sql`, from `startNeonHttpServer`. */
  endpoint: string
}

export function handleConformanceRequest(request: Request, target: NeonTarget): Promise<Response> {
  return serveConformanceCases(request, 'postgres', (index, features) => {
    neonConfig.fetchEndpoint = () => target.endpoint
    const db = drizzle(neon(target.databaseUrl))
    return runConformance({ runtime: target.runtime, driver: 'neon-http', db, features, indexes: [index] })
  })
}
