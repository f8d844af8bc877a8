// Every TypeScript block in the README and docs/ compiles as printed. Each block becomes a module with
// the context a reader has in mind declared around it — the Workers `Env` that `wrangler types` writes
// (an interface: no index signature), an `auth`, an `app`, a request context `c` — and imports of the
// library's names it uses without importing them. Only Deno's `jsr:`/`npm:` block is left out (those
// specifiers resolve in Deno only; the Deno runner covers that runtime).
import { execFile } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'

const root = join(import.meta.dirname, '..', '..')
const docs = ['README.md', 'docs/configuration.md', 'docs/hono.md', 'docs/client.md', 'docs/dpop.md', 'docs/runtimes.md', 'docs/jwt.md', 'docs/serverpod.md', 'docs/sqlite.md', 'docs/events.md']
const out = join(root, '.test-results', 'doc-blocks')

// What each entry point exports by name, for the names a block uses without importing them.
const libraryNames: Record<string, string[]> = {
  'edge-token-managers': ['initializeAuthServices', 'JwtAlgorithm', 'JwtConfig', 'JwtConfigFromPasswords', 'JwtTokenManager',
    'ServerSideSessionsConfig', 'ServerSideSessionsConfigFromPasswords', 'ServerSideSessionsTokenManager', 'EdgeTokenError'],
  'edge-token-managers/drizzle': ['drizzleTokenStore', 'authRefreshToken', 'authSession'],
  'edge-token-managers/hono': ['authenticate', 'authRoutes', 'requireScopes', 'cachePerEnv', 'guard', 'requestContext'],
  'edge-token-managers/jwt': ['createAccessTokenVerifier'],
  'edge-token-managers/serverpod': ['serverpodStore'],
  'drizzle-orm/neon-http': ['drizzle'],
  '@neondatabase/serverless': ['neon'],
  'drizzle-orm': ['eq'],
  hono: ['Hono'],
}

// The reader's context: declared only where the block does not declare or import the name itself.
const ambient: Record<string, string> = {
  env: 'declare const env: Env',
  auth: "declare const auth: import('edge-token-managers').AuthServices<import('drizzle-orm/neon-http').NeonHttpDatabase>",
  app: 'declare const app: import(\'hono\').Hono',
  db: "declare const db: import('drizzle-orm/neon-http').NeonHttpDatabase",
  c: "declare const c: import('hono').Context",
  userId: 'declare const userId: string',
  token: 'declare const token: string',
  refreshToken: 'declare const refreshToken: string',
  tokenId: 'declare const tokenId: string',
  tokenName: 'declare const tokenName: string',
  deviceName: 'declare const deviceName: string',
  body: 'declare const body: string',
  showSignIn: 'declare function showSignIn(): void',
  render: 'declare function render(value: unknown): void',
  tokenMetadata: "declare const tokenMetadata: typeof import('../../demo/schema.ts').tokenMetadata",
  defineConfig: "import { defineConfig } from 'drizzle-kit'",
  Bun: 'declare const Bun: { serve(options: { fetch(request: Request): Promise<Response> | Response }): unknown }',
  Deno: 'declare const Deno: { env: { toObject(): Record<string, string> }; serve(options: { port: number }, handler: (request: Request) => Promise<Response> | Response): unknown }',
}
// A Worker (a block with `export default`) has no `env` in module scope unless it imports cloudflare:workers' one.
const workerScope = (block: string, name: string) => name === 'env' && /^export default/m.test(block)
// What `wrangler types` generates for this project's bindings and secrets: an interface.
const envInterface = `interface Env {
  DATABASE_URL: string
  jwtHmacSha512PrivateKey: string
  jwtRefreshTokenHashPepper: string
  serverSideSessionKeyHashPepper: string
  fallbackJwtPrivateKey?: string
  oldJwtRefreshTokenHashPepper?: string
  oldSessionKeyHashPepper?: string
  JWT_ES512_PRIVATE_PEM: string
  JWT_ES512_PUBLIC_PEM: string
  JWT_ES512_PUBLIC_JWK: string
}
interface ExecutionContext { waitUntil(promise: Promise<unknown>): void; passThroughOnException(): void }`

const declares = (block: string, name: string) => [
  `^(export\\s+)?(declare\\s+)?(const|let|var|function|class|interface|type)\\s+${name}\\b`, // a top-level declaration
  `^import\\s+(type\\s+)?\\{[^}]*\\b${name}\\b[^}]*\\}\\s*from`, // an import
].some((pattern) => new RegExp(pattern, 'm').test(block))
const uses = (block: string, name: string) => new RegExp(`(^|[^.\\w'"])${name}\\b`).test(block.replace(/\/\/.*$/gm, ''))

function moduleFor(block: string): string {
  const lines: string[] = []
  for (const [from, names] of Object.entries(libraryNames)) {
    const needed = names.filter((n) => uses(block, n) && !declares(block, n))
    if (needed.length) lines.push(`import { ${needed.join(', ')} } from '${from}'`)
  }
  for (const [name, declaration] of Object.entries(ambient)) if (uses(block, name) && !declares(block, name) && !workerScope(block, name)) lines.push(declaration)
  // A block is a module of its own: top-level await and `export` work in every one.
  return `${lines.join('\n')}\n${declares(block, 'Env') ? '' : envInterface}\n${block}\nexport {}\n`
}

it('every TypeScript block in the README and docs/ type-checks as printed', async () => {
  rmSync(out, { recursive: true, force: true })
  mkdirSync(out, { recursive: true })
  const files: string[] = []
  for (const doc of docs) {
    const text = readFileSync(join(root, doc), 'utf8')
    ;[...text.matchAll(/```ts\n([\s\S]*?)```/g)].forEach((match, i) => {
      if (/['"](jsr|npm):/.test(match[1]!)) return
      const file = `${doc.replace(/\W/g, '_')}-${i}.ts`
      writeFileSync(join(out, file), moduleFor(match[1]!))
      files.push(file)
    })
  }
  expect(files.length).toBeGreaterThan(20)
  // What `cloudflare:workers` gives a Worker: the same Env, at module level.
  // A package docs/events.md uses as an app's own dependency (not the library's): typed loosely here.
  writeFileSync(join(out, 'opentelemetry.d.ts'), "declare module '@opentelemetry/api'\n")
  writeFileSync(join(out, 'cloudflare-workers.d.ts'), `declare module 'cloudflare:workers' {\n${envInterface.replace('interface Env', 'export interface Env')}\nexport const env: Env\n}\n`)
  writeFileSync(join(out, 'tsconfig.json'), JSON.stringify({
    extends: '../../tsconfig.json',
    compilerOptions: { types: ['node'], noUnusedLocals: false, module: 'NodeNext', moduleResolution: 'NodeNext' },
    include: ['*.ts'],
  }))
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
  const output = await new Promise<string>((resolve) =>
    execFile(process.execPath, [tsc, '-p', out], { cwd: root }, (_error, stdout, stderr) => resolve(`${stdout}${stderr}`)))
  expect(output.trim()).toBe('')
}, 120_000)
