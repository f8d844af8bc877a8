// Bundles a runtime entry with esbuild the way a Workers / Vercel Edge deployment would: browser
// platform plus the runtime's export conditions, so any `node:*` import fails the build instead of
// needing nodejs_compat. The library resolves by package name, through package.json `exports` (dist/).
import { build } from 'esbuild'

export async function bundle(entry: string, options: { format: 'esm' | 'iife'; conditions: string[]; globalName?: string }): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: 'browser',
    format: options.format,
    ...(options.globalName && { globalName: options.globalName }),
    conditions: options.conditions,
    target: 'es2022',
    logLevel: 'error',
  })
  return result.outputFiles[0]!.text
}
