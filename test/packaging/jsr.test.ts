// JSR (for Deno users): jsr.json mirrors package.json's entry points and version, and
// `deno publish --dry-run` passes offline without `--allow-slow-types`: every export has an explicit type, so
// JSR can serve the TypeScript sources and generate declarations from them.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import jsr from '../../jsr.json' with { type: 'json' }
import packageJson from '../../package.json' with { type: 'json' }

const root = join(import.meta.dirname, '..', '..')
const deno = join(root, 'node_modules', '.bin', 'deno')

async function publishDryRun(): Promise<{ ok: boolean; output: string }> {
  const args = ['publish', '--dry-run', '--allow-dirty']
  const env = { ...process.env, NO_COLOR: '1' }
  return promisify(execFile)(deno, args, { cwd: root, env }).then(
    ({ stdout, stderr }) => ({ ok: true, output: stdout + stderr }),
    (error: { stdout?: string; stderr?: string }) => ({ ok: false, output: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
  )
}

describe('jsr.json', () => {
  it('has the version and the entry points of package.json, as TypeScript sources', () => {
    expect(jsr.version).toBe(packageJson.version)
    const npmEntries = Object.entries(packageJson.exports).flatMap(([key, target]) => (typeof target === 'object' ? [[key, target.default] as const] : []))
    const expected = Object.fromEntries(npmEntries.map(([key, file]) => [key, file.replace('./dist/', './src/').replace(/\.js$/, '.ts')]))
    expect(jsr.exports).toEqual(expected)
  })

  it('deno publish --dry-run passes without --allow-slow-types, so JSR ships declarations for Node users too', async () => {
    const published = await publishDryRun()
    expect(published.output).not.toMatch(/^(error|warning)\b/m)
    expect(published.output).toMatch(/Success Dry run complete/)
    expect(published.ok).toBe(true)
  }, 120_000)
})
