#!/usr/bin/env node
// @ts-check
// `npx edge-token-managers <command>`: set-up chores for apps using this package. Plain JavaScript (types
// in JSDoc, checked by bin/tsconfig.json) so Node 20+ runs it straight from the published package; the
// library build (tsconfig.build.json) compiles src/ only. Not part of the library: Node APIs are fine here.
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const usage = `Usage: edge-token-managers <command> [options]

Commands:
  secrets    Print fresh random secrets for JwtConfigFromPasswords and
             ServerSideSessionsConfigFromPasswords (to stdout only).
      --format dotenv     NAME=value lines (default; also for Workers' .dev.vars)
      --format wrangler   printf %s '…' | npx wrangler secret put NAME, one per secret
      --format json       one JSON object
      --es512             also a fresh ES512 (ECDSA P-521) key pair as PEM:
                          JWT_ES512_PRIVATE_PEM (PKCS#8) and JWT_ES512_PUBLIC_PEM (SPKI)
  migrate    Apply this package's migrations (its drizzle/ folder) to a PostgreSQL database.
      --url URL           the database (default: $DATABASE_URL)
      --driver NAME       node-postgres (default; needs \`pg\`) or neon-http (default for
                          *.neon.tech hosts; needs \`@neondatabase/serverless\`)
  help       Print this text (also --help, -h).

Environment:
  DATABASE_URL          the database for \`migrate\`
  NEON_FETCH_ENDPOINT   for local testing only: the SQL-over-HTTP endpoint neon-http posts to
`

/** Usage errors exit 2 (with the usage on stderr); failures while working exit 1. */
class UsageError extends Error {}

/** base64url of `bytes` random bytes: no quoting needed in dotenv, shells or JSON. @param {number} bytes */
const randomSecret = (bytes) => randomBytes(bytes).toString('base64url')

/**
 * The passwords the `…FromPasswords` configs read. HS512 wants a key as long as its hash (64 bytes);
 * peppers need ≥ 10 characters, 32 random bytes recommended (src/managers/peppers.ts).
 * @param {boolean} es512
 * @returns {Record<string, string>}
 */
function generateSecrets(es512) {
  /** @type {Record<string, string>} */
  const secrets = {
    jwtHmacSha512PrivateKey: randomSecret(64),
    jwtRefreshTokenHashPepper: randomSecret(32),
    serverSideSessionKeyHashPepper: randomSecret(32),
  }
  if (es512) {
    // Names as in the README: JwtAlgorithm.ecdsaSha512({ privateKey: env.JWT_ES512_PRIVATE_PEM, publicKey: env.JWT_ES512_PUBLIC_PEM })
    const pair = generateKeyPairSync('ec', {
      namedCurve: 'P-521',
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    })
    secrets.JWT_ES512_PRIVATE_PEM = pair.privateKey.trim()
    secrets.JWT_ES512_PUBLIC_PEM = pair.publicKey.trim()
  }
  return secrets
}

/**
 * @param {Record<string, string>} secrets
 * @param {string} format
 */
function formatSecrets(secrets, format) {
  const entries = Object.entries(secrets)
  switch (format) {
    case 'dotenv':
      // PEM spans lines: a double-quoted multi-line value, as dotenv, `node --env-file` and wrangler read it.
      return entries.map(([name, value]) => (value.includes('\n') ? `${name}="${value}"` : `${name}=${value}`)).join('\n')
    case 'wrangler':
      // Values hold no single quote (base64url, PEM), so single-quoting is exact, newlines included.
      return [
        "# Run in your Worker's folder. The values stay in your shell history unless you clear it.",
        ...entries.map(([name, value]) => `printf %s '${value}' | npx wrangler secret put ${name}`),
      ].join('\n')
    case 'json':
      return JSON.stringify(secrets, null, 2)
    default:
      throw new UsageError(`Unknown --format "${format}": use dotenv, wrangler or json.`)
  }
}

/** The URL with its password masked: safe to print. @param {string} url */
function redact(url) {
  const copy = new URL(url)
  if (copy.password) copy.password = '***'
  return copy.toString()
}

/**
 * Imports an optional package, turning "not installed" into a one-line instruction.
 * @template T
 * @param {() => Promise<T>} load
 * @param {string} packageName
 * @returns {Promise<T>}
 */
async function optionalImport(load, packageName) {
  try {
    return await load()
  } catch (error) {
    const code = /** @type {{ code?: string }} */ (error).code
    if (code === 'ERR_MODULE_NOT_FOUND' && String(error).includes(packageName)) {
      throw new Error(`This needs the package "${packageName}": npm install ${packageName}`)
    }
    throw error
  }
}

/**
 * A connection through the chosen driver: drizzle's migrator for it, plus a raw query for counting.
 * @param {string} url
 * @param {'node-postgres' | 'neon-http'} driver
 * @returns {Promise<{ migrate(migrationsFolder: string): Promise<void>, query(text: string): Promise<any[]>, close(): Promise<void> }>}
 */
async function connect(url, driver) {
  if (driver === 'node-postgres') {
    const { default: pg } = await optionalImport(() => import('pg'), 'pg')
    const { drizzle } = await optionalImport(() => import('drizzle-orm/node-postgres'), 'drizzle-orm')
    const { migrate } = await import('drizzle-orm/node-postgres/migrator')
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    return {
      migrate: (migrationsFolder) => migrate(drizzle(client), { migrationsFolder }),
      query: async (text) => (await client.query(text)).rows,
      close: () => client.end(),
    }
  }
  const { neon, neonConfig } = await optionalImport(() => import('@neondatabase/serverless'), '@neondatabase/serverless')
  const { drizzle } = await optionalImport(() => import('drizzle-orm/neon-http'), 'drizzle-orm')
  const { migrate } = await import('drizzle-orm/neon-http/migrator')
  const endpoint = process.env.NEON_FETCH_ENDPOINT
  if (endpoint) neonConfig.fetchEndpoint = () => endpoint
  const sql = neon(url)
  return {
    migrate: (migrationsFolder) => migrate(drizzle(sql), { migrationsFolder }),
    query: (text) => sql.query(text),
    close: async () => {},
  }
}

/** Migrations drizzle has recorded in the database (0 before the first run). @param {(text: string) => Promise<any[]>} query */
async function appliedCount(query) {
  try {
    return Number((await query('select count(*) as n from drizzle.__drizzle_migrations'))[0]?.n ?? 0)
  } catch (error) {
    // 3F000: no schema "drizzle", 42P01: no table yet.
    const code = /** @type {{ code?: string }} */ (error).code
    if (code === '3F000' || code === '42P01') return 0
    throw error
  }
}

/** @param {{ url?: string, driver?: string }} options */
async function migrateCommand(options) {
  const url = options.url ?? process.env.DATABASE_URL
  if (!url) throw new UsageError('migrate needs a database: set DATABASE_URL or pass --url.')
  /** @type {URL} */
  let parsed
  try {
    parsed = new URL(url)
  } catch {
    throw new UsageError('The database URL is not a URL (expected postgres://user:password@host/database).')
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') throw new UsageError(`The database URL must start with postgres:// (got ${parsed.protocol}//).`)
  const driver = options.driver ?? (parsed.hostname.endsWith('.neon.tech') ? 'neon-http' : 'node-postgres')
  if (driver !== 'node-postgres' && driver !== 'neon-http') throw new UsageError(`Unknown --driver "${driver}": use node-postgres or neon-http.`)
  const migrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url))
  if (!existsSync(`${migrationsFolder}/meta/_journal.json`)) throw new Error(`No migrations at ${migrationsFolder} (is the package installed completely?).`)

  console.log(`Applying migrations from ${migrationsFolder} to ${redact(url)} with ${driver}…`)
  try {
    const database = await connect(url, driver)
    try {
      const before = await appliedCount(database.query)
      await database.migrate(migrationsFolder)
      const after = await appliedCount(database.query)
      console.log(after === before ? `Already up to date (${after} migration(s) applied).` : `Applied ${after - before} migration(s); ${after} in total.`)
    } finally {
      await database.close()
    }
  } catch (error) {
    // Driver messages should not carry the password, but make sure of it before printing.
    const message = error instanceof Error ? error.message : String(error)
    const password = decodeURIComponent(parsed.password)
    throw new Error(`Migration failed: ${password ? message.replaceAll(password, '***') : message}`)
  }
}

/** Parses the command line; a malformed one is a usage error. @param {string[]} argv */
function parseCommandLine(argv) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        format: { type: 'string' },
        es512: { type: 'boolean' },
        url: { type: 'string' },
        driver: { type: 'string' },
      },
    })
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
}

/** @param {string[]} argv */
async function main(argv) {
  const args = parseCommandLine(argv)
  const { values, positionals } = args
  const [command, ...extra] = positionals
  if (values.help || command === 'help') return void process.stdout.write(usage)
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}".`)
  if (command === 'secrets') {
    if (values.url !== undefined || values.driver !== undefined) throw new UsageError('--url and --driver belong to migrate.')
    const format = values.format ?? 'dotenv'
    return void process.stdout.write(`${formatSecrets(generateSecrets(values.es512 === true), format)}\n`)
  }
  if (command === 'migrate') {
    if (values.format !== undefined || values.es512 !== undefined) throw new UsageError('--format and --es512 belong to secrets.')
    return migrateCommand(values)
  }
  throw new UsageError(command === undefined ? 'No command given.' : `Unknown command "${command}".`)
}

main(process.argv.slice(2)).catch((error) => {
  if (error instanceof UsageError) {
    process.stderr.write(`edge-token-managers: ${error.message}\n\n${usage}`)
    process.exitCode = 2
  } else {
    process.stderr.write(`edge-token-managers: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  }
})
