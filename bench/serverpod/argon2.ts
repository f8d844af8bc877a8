// Runs the Argon2id measurement on Node, Bun, Deno, workerd (Miniflare) and Edge Runtime (EdgeVM), one
// after another so they never compete for the cores.
import { join } from 'node:path'
import { EdgeVM } from '@edge-runtime/vm'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import { runCli } from '../micro/runtimes.ts'
import type { Argon2Result } from './argon2-cases.ts'

const root = join(import.meta.dirname, '..', '..')
const bin = (name: string) => join(root, 'node_modules', '.bin', name)
export const argon2Runtimes = ['node', 'bun', 'deno', 'workerd', 'edge'] as const


async function bundled(format: 'esm' | 'iife', conditions: string[]): Promise<string> {
  const result = await build({
    entryPoints: [join(import.meta.dirname, 'argon2-worker.ts')], bundle: true, write: false, platform: 'browser', format, target: 'es2022',
    logLevel: 'error', conditions,
  })
  return result.outputFiles[0]!.text
}

async function runWorkerd(): Promise<Argon2Result> {
  const mf = new Miniflare({
    workers: [{
      config: {
        name: 'argon2', compatibilityDate: '2025-09-01', compatibilityFlags: [],
        manifest: { mainModule: 'worker.js', modules: { 'worker.js': { type: 'esm', contents: await bundled('esm', ['workerd', 'worker', 'browser']) } } },
      },
    }],
  })
  try {
    return (await (await mf.dispatchFetch('http://bench.local/')).json()) as Argon2Result
  } finally {
    await mf.dispose()
  }
}

async function runEdge(): Promise<Argon2Result> {
  const vm = new EdgeVM({ initialCode: await bundled('iife', ['edge-light', 'worker', 'browser']) })
  return (await (await vm.dispatchFetch('http://bench.local/')).json()) as Argon2Result
}

export async function measureArgon2On(runtime: (typeof argon2Runtimes)[number]): Promise<Argon2Result> {
  const cli = join(import.meta.dirname, 'argon2-cli.ts')
  switch (runtime) {
    case 'node': return runCli<Argon2Result>(process.execPath, [cli])
    case 'bun': return runCli<Argon2Result>(bin('bun'), [cli])
    case 'deno': return runCli<Argon2Result>(bin('deno'), ['run', '--allow-all', cli])
    case 'workerd': return runWorkerd()
    case 'edge': return runEdge()
  }
}
