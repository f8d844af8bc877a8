// Vitest global setup: the conformance and packaging tests import the library by its package name,
// which resolves to dist/. Rebuild it when any file in src/ is newer, so a plain `vitest run` never
// tests stale output (`npm test` builds from clean before anything runs).
import { execFileSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..', '..')

function newestMtime(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}

function builtAt(): number {
  try {
    return statSync(join(root, 'dist', 'index.js')).mtimeMs
  } catch {
    return 0
  }
}

export default function setup(): void {
  if (builtAt() >= newestMtime(join(root, 'src'))) return
  execFileSync(process.execPath, [join(root, 'scripts', 'build.ts')], { cwd: root, stdio: 'inherit' })
}
