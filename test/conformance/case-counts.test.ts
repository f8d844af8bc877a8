// The per-dialect case lists, and the check test-all makes with them: every run of a dialect must run as
// many cases as Node's run of it, so a runtime that lost or skipped cases fails `npm test`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { conformanceCaseCounts, countMismatches, nodeReportName } from '../../scripts/conformance-counts.ts'
import { nodeConformanceTitles } from '../runtimes/suites.ts'
import { conformanceCasesFor } from './index.ts'

describe('conformance case lists', () => {
  it('SQLite runs every Postgres case but the Serverpod ones, in the same order, each name once', () => {
    const postgres = conformanceCasesFor('postgres').map((c) => c.name)
    const sqlite = conformanceCasesFor('sqlite').map((c) => c.name)
    expect(sqlite).toEqual(postgres.filter((name) => !name.startsWith('serverpod ›')))
    expect(sqlite.length).toBeLessThan(postgres.length)
    expect(new Set(postgres).size).toBe(postgres.length)
  })

  it('both dialects run the DPoP cases, each rule for a JWT sign-in and for a session', () => {
    for (const dialect of ['postgres', 'sqlite'] as const) {
      const dpop = conformanceCasesFor(dialect).map((c) => c.name).filter((name) => name.startsWith('dpop ›'))
      const rules = (kind: string) => dpop.filter((name) => name.startsWith(`dpop › ${kind}: `)).map((name) => name.slice(`dpop › ${kind}: `.length))
      // Refresh is the JWT's alone: a session has no refresh token.
      expect(rules('jwt').filter((rule) => !rule.startsWith('a bound refresh token'))).toEqual(rules('session'))
      expect(rules('session').length).toBeGreaterThanOrEqual(11)
      expect(dpop.length).toBe(rules('jwt').length + rules('session').length)
    }
  })
})

describe("test-all's case counts", () => {
  let dir: string | undefined
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }))

  // Results as the suites write them: Node's Vitest JSON report, and `<suite>.json` per runtime suite.
  function results(runtimes: Record<string, number>, node: { postgres: number; sqlite: Record<string, number> } = { postgres: 3, sqlite: { 'better-sqlite3': 2, d1: 2 } }) {
    dir = mkdtempSync(join(tmpdir(), 'etm-counts-'))
    const tests = (title: string, n: number) => Array.from({ length: n }, () => ({ ancestorTitles: [title] }))
    const assertionResults = [
      ...tests(nodeConformanceTitles.postgres, node.postgres),
      ...Object.entries(node.sqlite).flatMap(([driver, n]) => tests(`${nodeConformanceTitles.sqlite} ${driver}`, n)),
      ...tests('some other describe', 5),
    ]
    writeFileSync(join(dir, nodeReportName), JSON.stringify({ testResults: [{ name: join('/repo', 'test', 'conformance', 'node.test.ts'), assertionResults }] }))
    for (const [name, n] of Object.entries(runtimes)) writeFileSync(join(dir, `${name}.json`), JSON.stringify({ cases: Array.from({ length: n }, () => ({})) }))
    return dir
  }
  const suites = [{ name: 'node' }, { name: 'deno', dialect: 'postgres' }, { name: 'workerd-d1', dialect: 'sqlite' }] as const

  it('groups runs by dialect, Node first, and finds no mismatch when each dialect agrees', () => {
    const counts = conformanceCaseCounts(results({ deno: 3, 'workerd-d1': 2 }), suites)
    expect(counts).toEqual({ postgres: [['node', 3], ['deno', 3]], sqlite: [['node/better-sqlite3', 2], ['node/d1', 2], ['workerd-d1', 2]] })
    expect(countMismatches(counts)).toEqual([])
  })

  it('flags a run with fewer cases than Node on its dialect, and a runtime that wrote no results', () => {
    expect(countMismatches(conformanceCaseCounts(results({ deno: 3, 'workerd-d1': 1 }), suites)))
      .toEqual(['sqlite case counts differ: node/better-sqlite3 2, node/d1 2, workerd-d1 1'])
    expect(countMismatches(conformanceCaseCounts(results({ 'workerd-d1': 2 }), suites)))
      .toEqual(['postgres case counts differ: node 3, deno 0'])
  })

  it("flags Node's own SQLite runs disagreeing, and a Node report without any SQLite run", () => {
    expect(countMismatches(conformanceCaseCounts(results({}, { postgres: 3, sqlite: { 'better-sqlite3': 2, d1: 1 } }), [{ name: 'node' }])))
      .toEqual(['sqlite case counts differ: node/better-sqlite3 2, node/d1 1'])
    expect(countMismatches(conformanceCaseCounts(results({ 'workerd-d1': 2 }, { postgres: 3, sqlite: {} }), suites.filter((s) => s.name !== 'deno'))))
      .toEqual(['sqlite case counts differ: node 0, workerd-d1 2'])
  })
})
