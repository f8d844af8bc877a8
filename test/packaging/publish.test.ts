// The package as npm would publish it: publint finds nothing (not even a suggestion), and
// arethetypeswrong resolves every entry point's types for ESM consumers (node16 and bundlers; this is
// an ESM-only package, so CommonJS `require` and node10 resolution are out of scope).
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { publint } from 'publint'
import { formatMessage } from 'publint/utils'
import { describe, expect, it } from 'vitest'
import packageJson from '../../package.json' with { type: 'json' }

const root = join(import.meta.dirname, '..', '..')

describe('packaging', () => {
  it('publint reports no errors, warnings or suggestions', async () => {
    const { messages, pkg } = await publint({ pkgDir: root, pack: 'npm', level: 'suggestion' })
    expect(messages.map((m) => formatMessage(m, pkg) ?? m.code)).toEqual([])
  })

  it('arethetypeswrong finds no problem in any entry point (--profile esm-only)', async () => {
    const attw = join(root, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js')
    const run = await promisify(execFile)(process.execPath, [attw, '--pack', '.', '--profile', 'esm-only', '--format', 'json'], { cwd: root })
      .catch((error: { stdout?: string; stderr?: string }) => error)
    type Problem = { kind: string; entrypoint?: string; resolutionKind?: string }
    const result = JSON.parse(run.stdout ?? '{}') as { analysis?: { problems?: Problem[]; entrypoints?: Record<string, unknown> } }
    expect(Object.keys(result.analysis?.entrypoints ?? {}).sort()).toEqual(Object.keys(packageJson.exports).sort())
    // The JSON lists problems of every resolution mode; the esm-only profile ignores node10 and node16-cjs.
    const ignored = new Set(['node10', 'node16-cjs'])
    const problems = (result.analysis?.problems ?? []).filter((p) => !p.resolutionKind || !ignored.has(p.resolutionKind))
    expect(problems, run.stderr).toEqual([])
    expect(result.analysis?.problems?.length, 'the JSON reports problems at all (so this test can fail)').toBeGreaterThan(0)
  })
})
