// @ts-check
// The ways `migrate` reaches a database: node-postgres, neon-http (Neon's SQL over HTTP), an embedded PGlite
// folder, and libSQL (a SQLite file or a libSQL server). Each driver package is optional: a missing one
// becomes an `npm install` line.

/**
 * @typedef {{ migrationsFolder: string, migrationsSchema?: string, migrationsTable: string }} MigrationConfig
 * @typedef {{
 *   migrate(config: MigrationConfig): Promise<void>,
 *   query(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>,
 *   close(): Promise<void>,
 * }} Database
 * @typedef {'node-postgres' | 'neon-http' | 'pglite' | 'libsql'} DriverName
 */

/**
 * Imports an optional package, turning "not installed" into a one-line instruction.
 * @example const { default: pg } = await optionalImport(() => import('pg'), 'pg')
 * @template T
 * @param {() => Promise<T>} load
 * @param {string} packageName
 * @returns {Promise<T>}
 */
export async function optionalImport(load, packageName) {
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
 * Opens the database with the chosen driver.
 * @example const db = await connect({ kind: 'pglite', directory: './data' }, 'pglite')
 * @param {import('./database-url.js').DatabaseTarget} target
 * @param {DriverName} driver
 * @returns {Promise<Database>}
 */
export async function connect(target, driver) {
  if (target.kind === 'd1') throw new Error('D1 databases are migrated by wrangler, not through a connection.')
  if (target.kind === 'libsql') {
    // @libsql/client first: drizzle-orm/libsql imports it, and its absence should name it, not drizzle-orm.
    const { createClient } = await optionalImport(() => import('@libsql/client'), '@libsql/client')
    const { drizzle } = await optionalImport(() => import('drizzle-orm/libsql'), 'drizzle-orm')
    const { migrate } = await import('drizzle-orm/libsql/migrator')
    const client = createClient({ url: target.text }) // reads ?authToken= itself
    return {
      migrate: (config) => migrate(drizzle(client), config),
      query: async (text, params) => (await client.execute({ sql: text, args: /** @type {any} */ (params ?? []) })).rows.map((row) => ({ ...row })),
      close: async () => client.close(),
    }
  }
  if (target.kind === 'pglite') {
    const { PGlite } = await optionalImport(() => import('@electric-sql/pglite'), '@electric-sql/pglite')
    const { drizzle } = await optionalImport(() => import('drizzle-orm/pglite'), 'drizzle-orm')
    const { migrate } = await import('drizzle-orm/pglite/migrator')
    const client = new PGlite(target.directory)
    return {
      migrate: (config) => migrate(drizzle(client), config),
      query: async (text, params) => /** @type {Record<string, unknown>[]} */ ((await client.query(text, params)).rows),
      close: () => client.close(),
    }
  }
  const url = target.url.toString()
  if (driver === 'node-postgres') {
    const { default: pg } = await optionalImport(() => import('pg'), 'pg')
    const { drizzle } = await optionalImport(() => import('drizzle-orm/node-postgres'), 'drizzle-orm')
    const { migrate } = await import('drizzle-orm/node-postgres/migrator')
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    return {
      migrate: (config) => migrate(drizzle(client), config),
      query: async (text, params) => (await client.query(text, params)).rows,
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
    migrate: (config) => migrate(drizzle(sql), config),
    query: async (text, params) => /** @type {Record<string, unknown>[]} */ (await sql.query(text, params ?? [])),
    close: async () => {},
  }
}
