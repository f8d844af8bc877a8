// Edge budgets, part 1: gzipped bundle sizes. esbuild bundles each entry minified as ESM for the browser
// platform (what Workers and Vercel Edge load); gzip level 9. The demo Worker is measured as
// `wrangler deploy --dry-run` builds it.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const root = join(import.meta.dirname, '..')

export interface SizeResult {
  name: string
  /** What the bundle leaves to the app (not counted). */
  external: string[]
  minifiedBytes: number
  gzipBytes: number
  /** The budget, where there is one. */
  budgetGzipBytes?: number
}

/** A module Worker that validates the bearer token with `check` and answers who it is. */
const validateOnly = (imports: string, setup: string, check: string) => `${imports}
declare const env: any
${setup}
export default {
  async fetch(request: Request) {
    const token = request.headers.get('authorization')?.slice(7) ?? ''
    return Response.json(${check})
  },
}`

const gzipSize = (code: string | Uint8Array) => gzipSync(code, { level: 9 }).length

async function bundleSize(name: string, source: string, external: string[], budgetGzipBytes?: number): Promise<SizeResult> {
  const result = await build({
    stdin: { contents: source, resolveDir: root, loader: 'ts' },
    bundle: true, write: false, minify: true, format: 'esm', platform: 'browser', target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'], external, logLevel: 'error',
  })
  const code = result.outputFiles[0]!.text
  return { name, external, minifiedBytes: code.length, gzipBytes: gzipSize(code), ...(budgetGzipBytes && { budgetGzipBytes }) }
}

/** The demo Worker exactly as wrangler would upload it; null when the demo is not there. */
function demoWorkerSize(minify: boolean): SizeResult | null {
  if (!existsSync(join(root, 'wrangler.toml')) || !existsSync(join(root, 'demo', 'worker.ts'))) return null
  const outdir = mkdtempSync(join(tmpdir(), 'etm-bench-worker-'))
  try {
    const run = spawnSync(join(root, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', outdir, ...(minify ? ['--minify'] : [])], {
      cwd: root, encoding: 'utf8',
      env: { ...process.env, PATH: `${join(root, 'node_modules/.bin')}${delimiter}${process.env.PATH}`, WRANGLER_SEND_METRICS: 'false' },
    })
    if (run.status !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${run.stdout}\n${run.stderr}`)
    const code = readFileSync(join(outdir, 'worker.js'))
    return {
      name: `demo Worker (wrangler deploy --dry-run${minify ? ' --minify' : ''}; everything bundled: hono, drizzle-orm, Neon driver, page)`,
      external: [], minifiedBytes: code.length, gzipBytes: gzipSize(code),
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true })
  }
}

export async function measureSizes(): Promise<SizeResult[]> {
  const drivers = ['drizzle-orm', 'drizzle-orm/*', '@neondatabase/serverless']
  const hono = ['hono', 'hono/*']
  const everything = `export * from './src/index.ts'\nexport * from './src/hono/index.ts'\nexport * from './src/drizzle/index.ts'`
  const results = [
    await bundleSize('core (edge-token-managers: crypto + managers, whole API)', `export * from './src/index.ts'`, [], 6 * 1024),
    await bundleSize('core + hono middleware/routes + drizzle store (hono, drizzle-orm, Neon external)', everything, [...hono, ...drivers], 15 * 1024),
    await bundleSize('core + hono + drizzle store, hono bundled (drizzle-orm, Neon external)', everything, drivers),
    await bundleSize('client (edge-token-managers/client)', `export * from './src/client/index.ts'`, []),
    // A Worker that only checks who is calling: each validates the Authorization header and answers JSON.
    await bundleSize('validate-only Worker, HS512 secret (edge-token-managers/jwt)', validateOnly(
      "import { createAccessTokenVerifier } from './src/jwt/index.ts'", 'const verify = createAccessTokenVerifier({ key: env.SECRET })', 'await verify(token)'), [], 3 * 1024),
    await bundleSize('validate-only Worker, ES512 public key (edge-token-managers/jwt)', validateOnly(
      "import { createAccessTokenVerifier } from './src/jwt/index.ts'", 'const verify = createAccessTokenVerifier({ key: env.PUBLIC_KEY })', 'await verify(token)'), [], 3 * 1024),
    await bundleSize('validate-only Worker through the full API (JwtConfig + validateToken)', validateOnly(
      "import { initializeAuthServices, JwtConfigFromPasswords } from './src/index.ts'",
      'const auth = initializeAuthServices({ store: {}, tokenManagerBuilders: [new JwtConfigFromPasswords(env)] })', 'await auth.tokenManager.validateToken(token)'), []),
    await bundleSize('validate-only Worker with hono/jwt verify (for comparison)', validateOnly(
      "import { verify } from 'hono/jwt'", '', "await verify(token, env.SECRET, 'HS512')"), []),
    await bundleSize('validate-only Worker with jose jwtVerify (for comparison)', validateOnly(
      "import { jwtVerify } from 'jose'", '', '(await jwtVerify(token, env.PUBLIC_KEY)).payload'), []),
  ]
  for (const minify of [false, true]) {
    const demo = demoWorkerSize(minify)
    if (demo) results.push(demo)
  }
  return results
}

if (import.meta.main) {
  const sizes = await measureSizes()
  for (const s of sizes) console.log(`${(s.gzipBytes / 1024).toFixed(1).padStart(6)} KB gzip  ${(s.minifiedBytes / 1024).toFixed(1).padStart(6)} KB min  ${s.name}`)
}
