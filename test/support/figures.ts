// Counters the security and reliability tests keep (inputs tried, races run, faults injected, forged
// tokens accepted, unhandled exceptions) and write to `.test-results/reliability/<name>.json`, so the
// "Reliability" figures in docs/errors.md can be read off a run instead of typed in by hand.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export type FigureName = 'inputsTried' | 'racesRun' | 'concurrentOperations' | 'faultsInjected' | 'forgedAccepted' | 'unhandledExceptions' | 'orphanRows' | 'replaysAccepted'

export interface Figures {
  add(name: FigureName, count?: number): void
  get(name: FigureName): number
  /** Counts unhandled rejections and uncaught exceptions in this file (Vitest also fails the run on them). */
  watchUnhandled(): void
  /** Writes the counters; call from `afterAll`. */
  write(): void
}

const resultsDir = process.env.TEST_RESULTS_DIR ?? join(import.meta.dirname, '..', '..', '.test-results')

/**
 * @example
 * ```ts
 * const figures = createFigures('fuzz')
 * figures.add('inputsTried', 5_000)
 * afterAll(() => figures.write())
 * ```
 */
export function createFigures(file: string): Figures {
  const counts = new Map<FigureName, number>()
  return {
    add: (name, count = 1) => void counts.set(name, (counts.get(name) ?? 0) + count),
    get: (name) => counts.get(name) ?? 0,
    watchUnhandled() {
      const count = () => void counts.set('unhandledExceptions', (counts.get('unhandledExceptions') ?? 0) + 1)
      counts.set('unhandledExceptions', counts.get('unhandledExceptions') ?? 0)
      process.on('unhandledRejection', count)
      process.on('uncaughtException', count)
    },
    write() {
      const dir = join(resultsDir, 'reliability')
      mkdirSync(dir, { recursive: true })
      writeFileSync(join(dir, `${file}.json`), `${JSON.stringify(Object.fromEntries(counts), null, 2)}\n`)
    },
  }
}
