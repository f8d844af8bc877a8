// Every file in src/ imports only what its layer may (no node:*, packages per layer, arrows down), and
// the conformance suite stays portable (no node:*, no vitest: it runs unchanged on five runtimes).
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { importSpecifiers, importViolations } from './import-rules.ts'

const root = join(import.meta.dirname, '..', '..')

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name))
}

describe('import rules', () => {
  it('src/ files import only what their layer allows', () => {
    const src = join(root, 'src')
    const files = tsFiles(src).map((file) => ({ path: relative(src, file), source: readFileSync(file, 'utf8') }))
    expect(files.length).toBeGreaterThan(30)
    expect(importViolations(files)).toEqual([])
  })

  it('the checker catches node:*, foreign packages and upward imports, and ignores comments', () => {
    expect(importViolations([
      { path: 'crypto/a.ts', source: "import { webcrypto } from 'node:crypto'" },
      { path: 'managers/b.ts', source: "import type { SQL } from 'drizzle-orm'\nexport * from '../drizzle/store.ts'" },
      { path: 'drizzle/c.ts', source: "import { eq } from 'drizzle-orm/sql'\nconst pg = await import('pg')" },
      { path: 'hono/d.ts', source: "import { Hono } from 'hono'\nimport { x } from '../client/index.ts'" },
      { path: 'client/e.ts', source: "/** import { Hono } from 'hono' */\nimport { a } from './f.ts'" },
      { path: 'index.ts', source: "export * from './drizzle/index.ts'" },
    ])).toEqual([
      "crypto/a.ts: 'node:crypto' (node:* is not available on Workers without nodejs_compat)",
      "managers/b.ts: 'drizzle-orm' (managers may import no package)",
      "managers/b.ts: '../drizzle/store.ts' (managers may not reach drizzle)",
      "drizzle/c.ts: 'pg' (drizzle may import drizzle-orm)",
      "hono/d.ts: '../client/index.ts' (hono may not reach client)",
      "index.ts: './drizzle/index.ts' (. may not reach drizzle)",
    ])
  })

  it('src/ has no import cycles, type-only imports included', () => {
    const src = join(root, 'src')
    const graph = new Map(tsFiles(src).map((file) => [file, importSpecifiers(readFileSync(file, 'utf8'))
      .filter((s) => s.startsWith('.')).map((s) => join(dirname(file), s))]))
    const cycles: string[] = []
    const visit = (file: string, path: string[]) => {
      for (const next of graph.get(file) ?? []) {
        if (path.includes(next)) cycles.push([...path.slice(path.indexOf(next)), next].map((f) => relative(src, f)).join(' → '))
        else visit(next, [...path, next])
      }
    }
    for (const file of graph.keys()) visit(file, [file])
    expect(cycles).toEqual([])
  })

  // Cookie mode is specified through a Hono app, the Serverpod cases check Argon2id against RFC 9106.
  it('the conformance suite imports only itself, its vectors, the package by name, Hono and Argon2id', () => {
    const packageEntries = ['edge-token-managers', 'edge-token-managers/drizzle', 'edge-token-managers/hono', 'edge-token-managers/serverpod', 'hono', '@noble/hashes/argon2.js', 'drizzle-orm']
    const dir = join(root, 'test', 'conformance')
    const portable = tsFiles(dir).filter((file) => !file.endsWith('.test.ts'))
    expect(portable.length).toBeGreaterThan(5)
    const foreign = portable.flatMap((file) =>
      importSpecifiers(readFileSync(file, 'utf8'))
        .filter((s) => !s.startsWith('./') && !s.startsWith('../vectors/') && !packageEntries.includes(s))
        .map((s) => `${relative(root, file)}: '${s}'`))
    expect(foreign).toEqual([])
  })
})
