// Builds dist/ from src/: a clean tsc emit, then relative `.ts` specifiers in the declarations become `.js`.
// tsc rewrites them in the JavaScript (rewriteRelativeImportExtensions) but leaves the `.d.ts` files
// pointing at `.ts` files the package does not resolve for every consumer: Deno and older TypeScript look
// for `./x.ts` beside the `.d.ts` and stop there.
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..')
const dist = join(root, 'dist')
const relativeTsSpecifier = /(\bfrom\s+|\bimport\(\s*)(['"])(\.{1,2}\/[^'"]+)\.ts\2/g

rmSync(dist, { recursive: true, force: true })
execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' })
for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' })) {
  if (!file.endsWith('.d.ts')) continue
  const path = join(dist, file)
  const text = readFileSync(path, 'utf8')
  const rewritten = text.replace(relativeTsSpecifier, '$1$2$3.js$2')
  if (rewritten !== text) writeFileSync(path, rewritten)
}
