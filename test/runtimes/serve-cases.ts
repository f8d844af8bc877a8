// Worker side of one-case-per-request runs (workerd, Edge Runtime): `GET /cases` lists the dialect's cases,
// `GET /run?case=N` runs case N and answers its report, so no single request runs long. Web APIs only.
import { conformanceCasesFor, measureFeatures, type ConformanceReport, type Dialect, type Features } from '../conformance/index.ts'

let features: Features | undefined

/**
 * Answers a conformance request; `run` runs the chosen case (its index in the dialect's list) on the
 * runtime's database with the features measured once per isolate.
 *
 * @example
 * ```ts
 * return serveConformanceCases(request, 'sqlite', (index, features) =>
 *   runConformance({ runtime: 'workerd-d1', driver: 'd1', dialect: 'sqlite', db, store, features, indexes: [index] }))
 * ```
 */
export async function serveConformanceCases(
  request: Request,
  dialect: Dialect,
  run: (index: number, features: Features) => Promise<ConformanceReport>,
): Promise<Response> {
  const cases = conformanceCasesFor(dialect)
  const url = new URL(request.url)
  if (url.pathname === '/cases') return Response.json(cases.map((c) => c.name))
  const index = Number(url.searchParams.get('case'))
  if (url.pathname !== '/run' || !Number.isInteger(index) || !cases[index]) return new Response('not found', { status: 404 })
  features ??= await measureFeatures()
  return Response.json(await run(index, features))
}
