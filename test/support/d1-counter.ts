// A D1 binding with every request to the database counted: a statement's all/run/raw/first, one batch, or
// one exec. Web-standard only, so a Worker can use it too (bench/workerd/d1-worker.ts counts inside workerd).
import type { D1Database, D1PreparedStatement } from '@cloudflare/workers-types'

const unwrap = Symbol('statement')
type Counted = D1PreparedStatement & { [unwrap]: D1PreparedStatement }

/**
 * Wraps `d1`; `onRequest(statements)` runs once per request, with how many statements it carries.
 * @example const db = drizzle(countedD1(env.DB, (statements) => (requests++, total += statements)))
 */
export function countedD1(d1: D1Database, onRequest: (statements: number) => void): D1Database {
  const statement = (real: D1PreparedStatement): Counted => ({
    [unwrap]: real,
    bind: (...values: unknown[]) => statement(real.bind(...values)),
    all: () => (onRequest(1), real.all()),
    run: () => (onRequest(1), real.run()),
    raw: (options?: { columnNames?: boolean }) => (onRequest(1), real.raw(options as { columnNames: true })),
    first: (column?: string) => (onRequest(1), column === undefined ? real.first() : real.first(column)),
  }) as unknown as Counted
  return {
    prepare: (query: string) => statement(d1.prepare(query)),
    batch: (statements: Counted[]) => (onRequest(statements.length), d1.batch(statements.map((s) => s[unwrap]))),
    exec: (query: string) => (onRequest(query.split(';').filter((s) => s.trim()).length), d1.exec(query)),
  } as unknown as D1Database
}
