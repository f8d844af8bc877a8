// The conformance suite, written once and run on every runtime: the list of cases and a runner that
// works anywhere. Each runtime's entry supplies a migrated database and reports the results.
import { badInputTests } from './bad-input.ts'
import { cookieModeTests } from './cookie-mode.ts'
import { cryptoVectorTests } from './crypto-vectors.ts'
import { dpopTests } from './dpop.ts'
import { es512Tests } from './es512.ts'
import { measureFeatures, type Features } from './features.ts'
import { runCase, type TestCase, type TestResult } from './harness.ts'
import { jwtTests } from './jwt.ts'
import { multiTests } from './multi.ts'
import { serverpodTests } from './serverpod.ts'
import { sessionTests } from './sessions.ts'
import type { ConformanceContext } from './support.ts'

export type { ConformanceContext } from './support.ts'
export type { Features } from './features.ts'
export type { TestResult } from './harness.ts'
export { measureFeatures }

/** The SQL dialect of the store a run uses: the case list, and so the count every runtime must reach, depends on it. */
export type Dialect = 'postgres' | 'sqlite'

// Cases every store runs, in a fixed order.
const portableCases: readonly TestCase<ConformanceContext>[] = [
  ...cryptoVectorTests,
  ...jwtTests,
  ...es512Tests,
  ...sessionTests,
  ...multiTests,
  ...badInputTests,
  ...cookieModeTests,
  ...dpopTests,
]

// serverpodStore's cases need Serverpod's own Postgres tables, so only Postgres runs them.
const casesByDialect: Record<Dialect, readonly TestCase<ConformanceContext>[]> = {
  postgres: [...portableCases, ...serverpodTests],
  sqlite: portableCases,
}

/**
 * The cases a run on this dialect's store runs, in a fixed order; every runtime on that dialect runs exactly these.
 *
 * @example
 * ```ts
 * for (const testCase of conformanceCasesFor('sqlite')) it(testCase.name, () => testCase.fn(ctx))
 * ```
 */
export function conformanceCasesFor(dialect: Dialect): readonly TestCase<ConformanceContext>[] {
  return casesByDialect[dialect]
}

/** What a runtime's run reports: written to `.test-results/<runtime>.json` by the runners. */
export interface ConformanceReport {
  runtime: string
  /** Where the cases really ran, as the runtime names itself (`navigator.userAgent`, `EdgeRuntime`). */
  platform: string
  /** The Drizzle driver the store ran on, e.g. `pglite`, `neon-http`, `d1` or `bun-sqlite`. */
  driver: string
  /** Which case list ran (see `conformanceCasesFor`). */
  dialect: Dialect
  features: Features
  passed: number
  failed: number
  cases: TestResult[]
}

/** The runtime's own name for itself, so a runner can check the suite did not run somewhere else. */
export function describePlatform(): string {
  const global = globalThis as { EdgeRuntime?: unknown; navigator?: { userAgent?: string } }
  if (typeof global.EdgeRuntime === 'string') return `EdgeRuntime/${global.EdgeRuntime}`
  return global.navigator?.userAgent ?? 'unknown'
}

/**
 * Runs the dialect's cases (Postgres unless `dialect` says otherwise) one after another (they share the
 * database) and tallies them. `indexes` picks a subset of that list, e.g. one case per request on workerd;
 * `store` replaces `drizzleTokenStore(db)`, e.g. with `sqliteTokenStore` on a SQLite database.
 *
 * @example
 * ```ts
 * const report = await runConformance({ runtime: 'deno', driver: 'pglite', db })
 * const onD1 = await runConformance({ runtime: 'workerd-d1', driver: 'd1', dialect: 'sqlite', db, store: () => sqliteTokenStore(db) })
 * ```
 */
export async function runConformance(options: {
  runtime: string
  driver: string
  db: ConformanceContext['db']
  dialect?: Dialect
  store?: ConformanceContext['store']
  features?: Features
  indexes?: readonly number[]
}): Promise<ConformanceReport> {
  const dialect = options.dialect ?? 'postgres'
  const features = options.features ?? (await measureFeatures())
  const ctx: ConformanceContext = { runtime: options.runtime, features, db: options.db, ...(options.store && { store: options.store }) }
  const all = conformanceCasesFor(dialect)
  const selected = options.indexes?.map((i) => all[i]!) ?? all
  const cases: TestResult[] = []
  for (const testCase of selected) cases.push(await runCase(testCase, ctx))
  const failed = cases.filter((c) => c.status === 'failed').length
  return { runtime: options.runtime, platform: describePlatform(), driver: options.driver, dialect, features, passed: cases.length - failed, failed, cases }
}
