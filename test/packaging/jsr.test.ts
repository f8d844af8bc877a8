// JSR (for Deno users): jsr.json mirrors package.json's entry points and version, and
// `deno publish --dry-run` passes offline. JSR serves the TypeScript sources themselves.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import jsr from '../../jsr.json' with { type: 'json' }
import packageJson from '../../package.json' with { type: 'json' }

const root = join(import.meta.dirname, '..', '..')
const deno = join(root, 'node_modules', '.bin', 'deno')

async function publishDryRun(...flags: string[]): Promise<{ ok: boolean; output: string }> {
  const args = ['publish', '--dry-run', '--allow-dirty', ...flags]
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

  it('deno publish --dry-run passes (--allow-slow-types: only the Drizzle tables lack explicit types)', async () => {
    const published = await publishDryRun('--allow-slow-types')
    expect(published.output).toMatch(/Success Dry run complete/)
    expect(published.ok).toBe(true)
    // Without the flag, JSR's only complaint may be the inferred pgTable types in the schema.
    const strict = await publishDryRun()
    const locations = [...strict.output.matchAll(/--> (\S+?):\d+:\d+/g)].map((m) => m[1]!.replace(`${root}/`, ''))
    if (!strict.ok) expect([...new Set(locations)], strict.output.slice(-2000)).toEqual(['src/drizzle/schema.ts'])
  }, 120_000)
})
