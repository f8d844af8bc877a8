#!/usr/bin/env node
// @ts-check
// `npx edge-token-managers <command>`: set-up chores for apps using this package. Plain JavaScript (types
// in JSDoc, checked by bin/tsconfig.json) so Node 20+ runs it straight from the published package; the
// library build (tsconfig.build.json) compiles src/ only. Not part of the library: Node APIs are fine here.
import { readFileSync } from 'node:fs'
import * as nodeUtil from 'node:util'
import { parseDatabaseUrl } from './database-url.js'
import { migrateCommand } from './migrate.js'
import { startNeonHttpServer } from './neon-http.js'
import { formatSecrets, generateSecrets, UsageError, writeSecretFile } from './secrets.js'

const usage = `Usage: edge-token-managers <command> [options]

Commands:
  secrets    Print fresh random secrets for JwtConfigFromPasswords and
             ServerSideSessionsConfigFromPasswords (to stdout, or a new file).
      --format dotenv     NAME=value lines (default; Workers' .dev.vars), plus DATABASE_URL
                          and NEON_FETCH_ENDPOINT lines for a local Postgres
      --format wrangler   printf %s '…' | npx wrangler secret put NAME, one per secret
      --format json       one JSON object
      --es512             also a fresh ES512 (ECDSA P-521) key pair as PEM:
                          JWT_ES512_PRIVATE_PEM (PKCS#8) and JWT_ES512_PUBLIC_PEM (SPKI)
      --out FILE          write a new file, readable by its owner only (0600), instead of stdout
  migrate    Apply this package's migrations to a database: drizzle/ to PostgreSQL (history in
             drizzle.__edge_token_managers_migrations), drizzle/sqlite/ to SQLite or libSQL (history
             in __edge_token_managers_migrations); never Drizzle's own __drizzle_migrations.
      --url URL           the database (default: DATABASE_URL), one of
                            postgres://user:password@host/db
                            pglite://<dir>                   an embedded PGlite folder
                            file:<path>                      a SQLite file (created if missing)
                            libsql://<host>?authToken=…      a libSQL server (Turso); also
                                                             http(s):// and ws(s)://
                            d1:<database>                    Cloudflare D1: prints the
                                                             \`wrangler d1 migrations apply\` commands
                                                             and the migrations_dir to set
      --env-file FILE     read DATABASE_URL from a dotenv file (e.g. .dev.vars)
      --driver NAME       node-postgres (default; needs \`pg\`) or neon-http (default for
                          *.neon.tech hosts; needs \`@neondatabase/serverless\`); pglite://
                          URLs need \`@electric-sql/pglite\`, SQLite and libSQL ones
                          \`@libsql/client\` (driver libsql)
  neon-http  Serve Neon's SQL-over-HTTP protocol on 127.0.0.1 in front of a local PostgreSQL, so a
             Worker using drizzle-orm/neon-http reaches it under \`wrangler dev\` (set
             NEON_FETCH_ENDPOINT to the printed URL). Development only; needs \`pg\`.
      --port N            default 4444 (or NEON_HTTP_PORT)
  help       Print this text (also --help, -h).

Environment:
  DATABASE_URL          the database for \`migrate\`
  NEON_FETCH_ENDPOINT   for local testing only: the SQL-over-HTTP endpoint neon-http posts to

Exit status: 0 done, 1 the command failed (database unreachable, a missing driver package, or
tables and history that disagree: nothing changed), 2 a bad command line. Printed URLs and
messages mask passwords, authToken and other secret parameters.
`

/** Parses the command line; a malformed one is a usage error. @param {string[]} argv */
function parseCommandLine(argv) {
  try {
    return nodeUtil.parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        format: { type: 'string' },
        es512: { type: 'boolean' },
        out: { type: 'string' },
        url: { type: 'string' },
        'env-file': { type: 'string' },
        driver: { type: 'string' },
        port: { type: 'string' },
      },
    })
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
}

/** Options that belong to one command only. */
const ownOptions = { secrets: ['format', 'es512', 'out'], migrate: ['url', 'env-file', 'driver'], 'neon-http': ['port'] }

/** @param {string} command @param {Record<string, unknown>} values */
function refuseForeignOptions(command, values) {
  const foreign = Object.entries(ownOptions).filter(([owner]) => owner !== command).flatMap(([, names]) => names).filter((name) => values[name] !== undefined)
  if (foreign.length > 0) throw new UsageError(`${foreign.map((name) => `--${name}`).join(' and ')} ${foreign.length > 1 ? 'do' : 'does'} not belong to ${command}.`)
}

/** DATABASE_URL from --url, else the --env-file, else the environment. @param {{ url?: string, 'env-file'?: string }} values */
function databaseUrl(values) {
  if (values.url !== undefined) return values.url
  const file = values['env-file']
  if (file === undefined) return process.env.DATABASE_URL
  /** @type {string} */
  let text
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    throw new UsageError(`Cannot read --env-file ${file}.`)
  }
  // Looked up here, not imported: Node 20 before 20.12 has no parseEnv, and the other commands work there.
  if (typeof nodeUtil.parseEnv !== 'function') throw new UsageError('--env-file needs Node 20.12 or later; set DATABASE_URL instead.')
  const url = nodeUtil.parseEnv(text).DATABASE_URL
  if (!url) throw new UsageError(`${file} has no DATABASE_URL line.`)
  return url
}

/** Which drivers reach which kind of target (the first is the default). @type {Record<Exclude<import('./database-url.js').DatabaseTarget['kind'], 'd1'>, import('./drivers.js').DriverName[]>} */
const driversFor = { postgres: ['node-postgres', 'neon-http'], pglite: ['pglite'], libsql: ['libsql'] }
const urlNames = { postgres: 'postgres://', pglite: 'pglite://', libsql: 'SQLite/libSQL' }

/**
 * The --driver for the target, checked against it. D1 has none: wrangler applies its migrations.
 * @param {import('./database-url.js').DatabaseTarget} target @param {string | undefined} chosen
 * @returns {import('./drivers.js').DriverName | undefined}
 */
function driverFor(target, chosen) {
  if (target.kind === 'd1') {
    if (chosen !== undefined) throw new UsageError('A d1: target takes no --driver (wrangler applies D1 migrations).')
    return undefined
  }
  const fits = driversFor[target.kind]
  const neon = target.kind === 'postgres' && target.url.hostname.endsWith('.neon.tech')
  const driver = chosen ?? (neon ? 'neon-http' : fits[0])
  if (!Object.values(driversFor).flat().includes(/** @type {never} */ (driver))) throw new UsageError(`Unknown --driver "${driver}": use node-postgres or neon-http.`)
  if (!fits.includes(/** @type {never} */ (driver))) {
    throw new UsageError(target.kind === 'postgres' ? `--driver ${driver} needs a ${driver === 'pglite' ? 'pglite://<dir>' : 'file: or libSQL'} URL.` : `A ${urlNames[target.kind]} URL takes no --driver other than ${fits.join(' or ')}.`)
  }
  return /** @type {import('./drivers.js').DriverName} */ (driver)
}

/** @param {{ url?: string, 'env-file'?: string, driver?: string }} values */
async function migrate(values) {
  const url = databaseUrl(values)
  if (!url) throw new UsageError('migrate needs a database: set DATABASE_URL, or pass --url or --env-file.')
  /** @type {import('./database-url.js').DatabaseTarget} */
  let target
  try {
    target = parseDatabaseUrl(url)
  } catch (error) {
    throw new UsageError(/** @type {Error} */ (error).message)
  }
  await migrateCommand(target, driverFor(target, values.driver))
}

/** @param {string[]} argv */
async function main(argv) {
  const { values, positionals } = parseCommandLine(argv)
  const [command, ...extra] = positionals
  if (values.help || command === 'help') return void process.stdout.write(usage)
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}".`)
  if (command === 'secrets') {
    refuseForeignOptions(command, values)
    const text = `${formatSecrets(generateSecrets(values.es512 === true), values.format ?? 'dotenv')}\n`
    if (values.out === undefined) return void process.stdout.write(text)
    writeSecretFile(values.out, text)
    return void console.log(`Wrote ${values.out} (mode 0600: only you can read it).`)
  }
  if (command === 'migrate') {
    refuseForeignOptions(command, values)
    return migrate(values)
  }
  if (command === 'neon-http') {
    refuseForeignOptions(command, values)
    const port = Number(values.port ?? process.env.NEON_HTTP_PORT ?? 4444)
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number (got ${values.port}).`)
    const endpoint = await startNeonHttpServer({ port })
    return void console.log(`Neon SQL-over-HTTP endpoint at ${endpoint.url} (in front of the server named by each request's connection string)`)
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
