// The conformance suite over neon-http, for runtimes that run a bundle and answer requests (workerd,
// Edge Runtime). Portable like the suite itself: Web APIs only. One case per request, so no single
// request runs long: `GET /cases` lists them, `GET /run?case=N` runs one and answers its report.
import { neon, neonConfig } from '@neondatabase/serverless'
import { drizzle } from 'drizzle-orm/neon-http'
import { conformanceCases, measureFeatures, runConformance, type Features } from '../conformance/index.ts'

export interface NeonTarget {
  runtime: string
  /** `postgres://…` of the database the endpoint forwards to. */
  databaseUrl: string
  /** `http://127.0.0.1:<port>/sql`, from `startNeonHttpServer`. */
  endpoint: string
}

let features: Features | undefined

export async function handleConformanceRequest(request: Request, target: NeonTarget): Promise<Response> {
  const url = new URL(request.url)
  if (url.pathname === '/cases') return Response.json(conformanceCases.map((c) => c.name))
  const index = Number(url.searchParams.get('case'))
  if (url.pathname !== '/run' || !Number.isInteger(index) || !conformanceCases[index]) return new Response('not found', { status: 404 })
  neonConfig.fetchEndpoint = () => target.endpoint
  features ??= await measureFeatures() // once per isolate
  const db = drizzle(neon(target.databaseUrl))
  return Response.json(await runConformance({ runtime: target.runtime, driver: 'neon-http', db, features, indexes: [index] }))
}
