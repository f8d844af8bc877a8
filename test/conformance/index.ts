// The conformance suite, written once and run on every runtime: the list of cases and a runner that
// works anywhere. Each runtime's entry supplies a migrated database and reports the results.
import { badInputTests } from './bad-input.ts'
import { cookieModeTests } from './cookie-mode.ts'
import { cryptoVectorTests } from './crypto-vectors.ts'
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

/** Every case, in a fixed order; each runtime runs exactly these. */
export const conformanceCases: readonly TestCase<ConformanceContext>[] = [
  ...cryptoVectorTests,
  ...jwtTests,
  ...es512Tests,
  ...sessionTests,
  ...multiTests,
  ...badInputTests,
  ...cookieModeTests,
  ...serverpodTests,
]

/** What a runtime's run reports: written to `.test-results/<runtime>.json` by the runners. */
export interface ConformanceReport {
  runtime: string
  /** Where the cases really ran, as the runtime names itself (`navigator.userAgent`, `EdgeRuntime`). */
  platform: string
  /** The Drizzle driver the store ran on, e.g. `pglite` or `neon-http`. */
  driver: string
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
 * Runs the cases one after another (they share the database) and tallies them. `indexes` picks a
 * subset, e.g. one case per request on workerd.
 *
 * @example
 * ```ts
 * const report = await runConformance({ runtime: 'deno', driver: 'pglite', db })
 * ```
 */
export async function runConformance(options: {
  runtime: string
  driver: string
  db: ConformanceContext['db']
  features?: Features
  indexes?: readonly number[]
}): Promise<ConformanceReport> {
  const features = options.features ?? (await measureFeatures())
  const ctx: ConformanceContext = { runtime: options.runtime, features, db: options.db }
  const selected = options.indexes?.map((i) => conformanceCases[i]!) ?? conformanceCases
  const cases: TestResult[] = []
  for (const testCase of selected) cases.push(await runCase(testCase, ctx))
  const failed = cases.filter((c) => c.status === 'failed').length
  return { runtime: options.runtime, platform: describePlatform(), driver: options.driver, features, passed: cases.length - failed, failed, cases }
}
