// The runtime suites of the conformance suite, in the order `npm test` runs them: read by run.ts (what to
// run, and which platform must report) and by scripts/test-all.ts (what to run, which database each used,
// and which Node run its case count must equal). Plain data, so reading it loads no runner.
import type { Dialect } from '../conformance/index.ts'

export interface RuntimeSuite {
  name: string
  /** The case list it runs, and so the Node run (same dialect) its count must equal. */
  dialect: Dialect
  /** The database and driver the store runs on, for the summary table. */
  database: string
  /** What `navigator.userAgent` (or `EdgeRuntime`) must say, so a run elsewhere fails. */
  platform: RegExp
}

/**
 * Every runtime suite, one per runtime and database.
 *
 * @example
 * ```ts
 * const d1 = runtimeSuites.find((suite) => suite.name === 'workerd-d1') // dialect 'sqlite'
 * ```
 */
export const runtimeSuites = [
  { name: 'workerd', dialect: 'postgres', database: 'Postgres (neon-http)', platform: /^Cloudflare-Workers$/ },
  { name: 'workerd-d1', dialect: 'sqlite', database: 'D1 binding', platform: /^Cloudflare-Workers$/ },
  { name: 'edge', dialect: 'postgres', database: 'Postgres (neon-http)', platform: /^EdgeRuntime\/edge-runtime$/ },
  { name: 'deno', dialect: 'postgres', database: 'PGlite', platform: /^Deno\// },
  { name: 'deno-sqlite', dialect: 'sqlite', database: 'SQLite (libSQL file)', platform: /^Deno\// },
  { name: 'bun', dialect: 'postgres', database: 'PGlite', platform: /^Bun\// },
  { name: 'bun-sqlite', dialect: 'sqlite', database: 'SQLite (bun:sqlite file)', platform: /^Bun\// },
] as const satisfies readonly RuntimeSuite[]

export type RuntimeSuiteName = (typeof runtimeSuites)[number]['name']

/**
 * The describe titles of Node's own conformance runs (test/conformance/node.test.ts), by which test-all
 * counts Node's cases per dialect: one Postgres run, and one SQLite run per driver (`<sqlite> <driver>`).
 *
 * @example
 * ```ts
 * describe(`${nodeConformanceTitles.sqlite} d1`, () => { … })
 * ```
 */
export const nodeConformanceTitles = {
  postgres: 'conformance on node',
  sqlite: 'conformance on node, sqliteTokenStore on',
} as const satisfies Record<Dialect, string>
