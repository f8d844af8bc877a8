// `npm install` on a fresh clone must leave package-lock.json as committed: a lockfile that npm rewrites
// (a peer added to the root, a range changed) means `npm ci` and `npm install` resolve different trees.
import { execFile } from 'node:child_process'
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..', '..')
const dir = mkdtempSync(join(tmpdir(), 'etm-lockfile-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('package-lock.json', () => {
  it('is what npm install writes for package.json (nothing to rewrite)', async () => {
    for (const file of ['package.json', 'package-lock.json', '.npmrc']) copyFileSync(join(root, file), join(dir, file))
    // Resolves the tree only (no download, no install scripts): the lockfile npm would leave behind.
    await promisify(execFile)('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir })
    expect(readFileSync(join(dir, 'package-lock.json'), 'utf8')).toBe(readFileSync(join(root, 'package-lock.json'), 'utf8'))
  }, 120_000)
})
