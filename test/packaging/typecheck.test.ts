// vitest strips types without checking them, so a wrong type in a test or the demo would go unseen:
// each TypeScript project of the repository must compile cleanly.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..', '..')
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')

describe('type check', () => {
  it.each([
    ['the library (src/, no Node types)', 'tsconfig.json'],
    ['tests, benchmarks and scripts', 'tsconfig.test.json'],
    ['the demo (Node, browser and Worker code)', 'demo'],
    ['the CLI (JavaScript with JSDoc types)', 'bin'],
  ])('%s compiles', async (_label, project) => {
    const run = await promisify(execFile)(process.execPath, [tsc, '-p', project, '--noEmit'], { cwd: root })
      .catch((error: { stdout?: string; stderr?: string }) => error)
    expect(`${run.stdout ?? ''}${run.stderr ?? ''}`.trim()).toBe('')
  }, 120_000)
})
