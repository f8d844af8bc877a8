// `npm run demo:d1`: the demo Worker on a local D1 database (Miniflare), with no other service. Writes
// .dev.vars with fresh secrets if there is none, applies both migration folders the way a D1 user does
// (`wrangler d1 migrations apply … --local`, see wrangler.toml), then runs `wrangler dev`. Extra
// arguments go to `wrangler dev`, e.g. `npm run demo:d1 -- --port 8788`.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { generateSecrets, writeSecretFile } from '../bin/secrets.js'

const devVars = '.dev.vars'
if (!existsSync(devVars)) {
  // Secrets only: the CLI's dotenv format also names a local Postgres, which would switch the Worker off D1.
  writeSecretFile(devVars, `${Object.entries(generateSecrets(false)).map(([name, value]) => `${name}=${value}`).join('\n')}\n`)
  console.log(`Wrote fresh secrets to ${devVars} (readable by you only).`)
} else if (/^\s*DATABASE_URL\s*=\s*["']?[^\s"'#]/m.test(readFileSync(devVars, 'utf8'))) {
  console.warn(`${devVars} sets DATABASE_URL: the Worker will use that Postgres database, not D1.`)
}

const wrangler = (...args: string[]) => {
  const { status } = spawnSync('npx', ['wrangler', ...args], { stdio: 'inherit' })
  if (status !== 0) process.exit(status ?? 1)
}
wrangler('d1', 'migrations', 'apply', 'DB', '--local') // the library's tables: drizzle/sqlite
wrangler('d1', 'migrations', 'apply', 'DEMO_DB', '--local') // the demo's token_metadata: demo/drizzle/sqlite
wrangler('dev', ...process.argv.slice(2))
