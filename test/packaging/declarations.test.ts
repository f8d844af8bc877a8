// The shipped declarations must type-check in every consumer the library runs in, with skipLibCheck off:
// a Worker (workers-types, no DOM), a browser app (DOM), a Node app (@types/node only) and Deno. A DOM-only
// name (JsonWebKey, AlgorithmIdentifier) in a `.d.ts` fails here; under skipLibCheck it is silently `any`.
import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import packageJson from '../../package.json' with { type: 'json' }

const root = join(import.meta.dirname, '..', '..')
const consumer = mkdtempSync(join(tmpdir(), 'etm-declarations-'))
const installed = join(consumer, 'node_modules', 'edge-token-managers')
const entryPoints = Object.keys(packageJson.exports).filter((key) => key !== './package.json')
const specifier = (entry: string) => (entry === '.' ? 'edge-token-managers' : `edge-token-managers/${entry.slice(2)}`)
// Errors in the dependencies' own declarations (drizzle-orm has some) are theirs, not ours.
const ours = (location: string) => location.includes('edge-token-managers/') || location.includes('consumer.ts')

beforeAll(() => {
  // Installed as npm would: a copy of what `files` ships (dist/ and package.json), beside its peers.
  cpSync(join(root, 'dist'), join(installed, 'dist'), { recursive: true })
  cpSync(join(root, 'package.json'), join(installed, 'package.json'))
  for (const dependency of ['hono', 'drizzle-orm', '@noble/hashes', '@cloudflare/workers-types', '@types/node']) {
    mkdirSync(dirname(join(consumer, 'node_modules', dependency)), { recursive: true })
    symlinkSync(join(root, 'node_modules', dependency), join(consumer, 'node_modules', dependency))
  }
  const imports = entryPoints.map((entry, i) => `import * as entry${i} from '${specifier(entry)}'`)
  writeFileSync(join(consumer, 'consumer.ts'), `${imports.join('\n')}\nexport const all = [${entryPoints.map((_, i) => `entry${i}`).join(', ')}]\n`)
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', dependencies: { 'edge-token-managers': '*' } }))
  writeFileSync(join(consumer, 'deno.json'), JSON.stringify({ nodeModulesDir: 'manual' }))
})
afterAll(() => rmSync(consumer, { recursive: true, force: true }))

async function run(command: string, args: string[]): Promise<string> {
  const env = { ...process.env, NO_COLOR: '1' }
  return promisify(execFile)(command, args, { cwd: consumer, env, maxBuffer: 64 << 20 }).then(
    ({ stdout, stderr }) => stdout + stderr,
    (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ''}${error.stderr ?? ''}`,
  )
}

describe('shipped declarations (skipLibCheck: false)', () => {
  it.each([
    ['a Worker (@cloudflare/workers-types, no DOM)', ['ES2023'], ['@cloudflare/workers-types']],
    ['a browser app (DOM)', ['ES2023', 'DOM', 'DOM.Iterable'], []],
    ['a Node app (@types/node, no DOM)', ['ES2023'], ['node']],
  ])('type-check in %s', async (name, lib, types) => {
    const project = join(consumer, `tsconfig.${types[0]?.replace(/\W/g, '-') ?? 'dom'}.json`)
    const compilerOptions = { target: 'ES2022', lib, types, module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, noEmit: true }
    writeFileSync(project, JSON.stringify({ compilerOptions, files: ['consumer.ts'] }))
    const output = await run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project, '--pretty', 'false'])
    const errors = output.split('\n').filter((line) => /error TS\d+/.test(line) && ours(line.split('(')[0]!))
    expect(errors, name).toEqual([])
  }, 120_000)

  it('type-check in Deno (deno check --all)', async () => {
    const output = await run(join(root, 'node_modules', '.bin', 'deno'), ['check', '--all', 'consumer.ts'])
    expect(output).toMatch(/Check .*consumer\.ts/)
    // Each diagnostic ends with the file it is in ("at file:///…"); keep the ones located in our package.
    const diagnostics = output.split(/(?=TS\d+ \[ERROR\])/).filter((block) => /^TS\d+ \[ERROR\]/.test(block))
    const located = diagnostics.filter((block) => ours(/at (file:\/\/\S+)/.exec(block)?.[1] ?? block))
    expect(located.map((block) => block.split('\n')[0])).toEqual([])
  }, 120_000)
})
