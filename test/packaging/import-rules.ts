// What each layer of src/ may import (src/crypto → src/managers → stores and src/hono; src/client apart):
// the packages allowed per layer, and which of our own layers it may reach. Nothing may import `node:*`,
// so the library runs on Workers without nodejs_compat. Specifiers are read with TypeScript's
// preprocessor, which skips comments and sees static, dynamic and type-only imports alike.
import ts from 'typescript'

export const layerRules: Record<string, { packages: string[]; layers: string[] }> = {
  crypto: { packages: [], layers: ['crypto'] },
  managers: { packages: [], layers: ['managers', 'crypto'] },
  // What both SQL dialects share (deadline, error logging, the stored-state rules, the store body): only
  // drizzle-orm's dialect-free core, so a Worker on SQLite never bundles the Postgres dialect, nor the reverse.
  sql: { packages: ['drizzle-orm'], layers: ['sql', 'managers', 'crypto'] },
  drizzle: { packages: ['drizzle-orm'], layers: ['drizzle', 'sql', 'managers', 'crypto'] },
  sqlite: { packages: ['drizzle-orm'], layers: ['sqlite', 'sql', 'managers', 'crypto'] },
  hono: { packages: ['hono'], layers: ['hono', 'managers', 'crypto'] },
  client: { packages: [], layers: ['client', 'managers', 'crypto'] },
  // edge-token-managers/jwt: the validate-only entry, built from the managers' validator.
  jwt: { packages: [], layers: ['jwt', 'managers', 'crypto'] },
  // The only layer with Argon2id: @noble/hashes is an optional peer that the core never loads.
  serverpod: { packages: ['drizzle-orm', '@noble/hashes'], layers: ['serverpod', 'drizzle', 'sql', 'managers', 'crypto'] },
  // src/index.ts: the main entry re-exports the core only.
  '.': { packages: [], layers: ['.', 'managers', 'crypto'] },
}

/** The package a bare specifier names: `drizzle-orm/pg-core` → `drizzle-orm`, `@scope/a/b` → `@scope/a`. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!
}

export function importSpecifiers(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName)
}

/** The layer of a path relative to src/: its first folder, or `.` for files at the top. */
const layerOf = (path: string) => (path.includes('/') ? path.split('/')[0]! : '.')

function resolveRelative(from: string, specifier: string): string {
  const parts = from.split('/').slice(0, -1)
  for (const segment of specifier.split('/')) {
    if (segment === '..') parts.pop()
    else if (segment !== '.') parts.push(segment)
  }
  return parts.join('/')
}

/**
 * Violations in a set of files given as paths relative to src/ (e.g. `managers/jwt-config.ts`).
 * Each violation reads `file: 'specifier' (reason)`.
 */
export function importViolations(files: { path: string; source: string }[]): string[] {
  const violations: string[] = []
  for (const { path, source } of files) {
    const layer = layerOf(path)
    const rule = layerRules[layer]
    for (const specifier of importSpecifiers(source)) {
      const problem = !rule
        ? `no rule for layer "${layer}"`
        : specifier.startsWith('node:')
          ? 'node:* is not available on Workers without nodejs_compat'
          : specifier.startsWith('.')
            ? !rule.layers.includes(layerOf(resolveRelative(path, specifier))) && `${layer} may not reach ${layerOf(resolveRelative(path, specifier))}`
            : !rule.packages.includes(packageName(specifier)) && `${layer} may import ${rule.packages.length ? rule.packages.join(', ') : 'no package'}`
      if (problem) violations.push(`${path}: '${specifier}' (${problem})`)
    }
  }
  return violations
}
