// One subpath per SQL dialect, so a Worker bundles only its own: what a Worker on D1 bundles from
// `edge-token-managers/sqlite` holds neither our Postgres store nor drizzle's Postgres dialect (drizzle-orm's
// own core pulls a few pg-core column files, whatever the app uses), and a Worker on Postgres gets no SQLite
// code. Bundled with esbuild for the browser platform as Wrangler would, from dist/: no `node:*` either.
import { build } from 'esbuild'
import { expect, it } from 'vitest'

async function bundledInputs(entry: string): Promise<string[]> {
  const result = await build({
    stdin: { contents: `export * from '${entry}'`, resolveDir: import.meta.dirname, loader: 'ts' },
    bundle: true, write: false, metafile: true, platform: 'browser', format: 'esm', conditions: ['workerd', 'worker', 'browser'], logLevel: 'error',
  })
  return Object.keys(result.metafile.inputs)
}

it('edge-token-managers/sqlite bundles the SQLite dialect and the shared core only', async () => {
  const inputs = await bundledInputs('edge-token-managers/sqlite')
  expect(inputs.some((path) => path.includes('drizzle-orm/sqlite-core/'))).toBe(true)
  expect(inputs.some((path) => path.includes('dist/sql/token-store.js'))).toBe(true)
  expect(inputs.filter((path) => /drizzle-orm\/pg-core\/(dialect|db|session)\.js|dist\/(drizzle|serverpod)\//.test(path))).toEqual([])
})

it('edge-token-managers/drizzle bundles no SQLite code', async () => {
  const inputs = await bundledInputs('edge-token-managers/drizzle')
  expect(inputs.some((path) => path.includes('drizzle-orm/pg-core/'))).toBe(true)
  expect(inputs.some((path) => path.includes('dist/sql/token-store.js'))).toBe(true)
  expect(inputs.filter((path) => path.includes('drizzle-orm/sqlite-core/') || path.includes('dist/sqlite/'))).toEqual([])
})
