// Starts the micro suite on each runtime — Node (this project's 22), Bun, Deno as subprocesses and workerd
// through Miniflare — one after another, so they never compete with each other for the two cores.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import type { CaseResult } from './rounds.ts'

export interface RuntimeMicro {
  runtime: string
  results: CaseResult[]
}

export const microRuntimes = ['node', 'bun', 'deno', 'workerd'] as const
export type MicroRuntime = (typeof microRuntimes)[number]

const root = join(import.meta.dirname, '..', '..')
const bin = (name: string) => join(root, 'node_modules', '.bin', name)

/** Runs a benchmark script and parses the JSON of its last stdout line. */
export function runCli<T = RuntimeMicro>(command: string, args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (chunk) => (out += chunk))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${command} exited with ${code}`))
      resolve(JSON.parse(out.trim().split('\n').at(-1)!))
    })
  })
}

async function runWorkerd(query: URLSearchParams): Promise<RuntimeMicro> {
  const bundled = await build({
    entryPoints: [join(import.meta.dirname, 'worker.ts')],
    bundle: true, write: false, platform: 'browser', format: 'esm', target: 'es2022', logLevel: 'error',
    conditions: ['workerd', 'worker', 'browser'],
  })
  const mf = new Miniflare({
    workers: [{
      config: {
        name: 'micro',
        compatibilityDate: '2025-09-01',
        compatibilityFlags: [],
        manifest: { mainModule: 'worker.js', modules: { 'worker.js': { type: 'esm', contents: bundled.outputFiles[0]!.text } } },
      },
    }],
  })
  try {
    const response = await mf.dispatchFetch(`http://bench.local/?${query}`)
    if (!response.ok) throw new Error(`workerd micro failed: ${response.status} ${await response.text()}`)
    return (await response.json()) as RuntimeMicro
  } finally {
    await mf.dispose()
  }
}

export async function runMicroOn(runtime: MicroRuntime, options: { rounds: number; slowRounds: number; only?: string }): Promise<RuntimeMicro> {
  const args = [`--rounds=${options.rounds}`, `--slow-rounds=${options.slowRounds}`, ...(options.only ? [`--only=${options.only}`] : [])]
  const cli = join(import.meta.dirname, 'cli.ts')
  switch (runtime) {
    case 'node': return runCli(process.execPath, [cli, ...args])
    case 'bun': return runCli(bin('bun'), [cli, ...args])
    case 'deno': return runCli(bin('deno'), ['run', '--allow-all', cli, ...args])
    case 'workerd': {
      const query = new URLSearchParams({ rounds: String(options.rounds), slowRounds: String(options.slowRounds), ...(options.only && { only: options.only }) })
      return runWorkerd(query)
    }
  }
}
