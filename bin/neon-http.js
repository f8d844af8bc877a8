// @ts-check
// A local endpoint that speaks Neon's SQL-over-HTTP protocol (what `drizzle-orm/neon-http` sends) in
// front of any PostgreSQL server, so the neon-http code path runs against a real database without a
// Neon account: `wrangler dev` on your machine (`npx edge-token-managers neon-http`) and tests.
// Development tooling only: it runs whatever SQL it is sent, so it listens on 127.0.0.1.
//
// Protocol (from @neondatabase/serverless): POST JSON `{query, params}` or `{queries: [...]}` with the
// target in the `Neon-Connection-String` header; answer `{command, rowCount, rows, fields}` with rows as
// arrays of raw text; a batch is one transaction; a Postgres error is HTTP 400 with its fields.
import { createServer } from 'node:http'
import { optionalImport } from './drivers.js'

/** @typedef {{ query: string, params?: (string | null)[] }} NeonQuery */
/** @typedef {import('pg').PoolClient} PoolClient */

const errorFields = ['code', 'severity', 'detail', 'hint', 'position', 'where', 'schema', 'table', 'column', 'dataType', 'constraint', 'routine']
const isolationLevels = new Set(['ReadUncommitted', 'ReadCommitted', 'RepeatableRead', 'Serializable'])
// Raw text for every type: the Neon client parses values itself, by dataTypeID.
const rawText = { getTypeParser: () => (/** @type {string} */ value) => value }

/** @param {import('node:http').IncomingMessage} request @returns {Promise<unknown>} */
async function readJson(request) {
  /** @type {Buffer[]} */
  const chunks = []
  for await (const chunk of request) chunks.push(chunk)
  return JSON.parse(Buffer.concat(chunks).toString('utf8'))
}

/** @param {PoolClient} client @param {NeonQuery} query */
async function run(client, { query, params = [] }) {
  const result = await client.query({ text: query, values: params, rowMode: 'array', types: rawText })
  return {
    command: result.command,
    rowCount: result.rowCount,
    rows: result.rows,
    fields: result.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID, tableID: f.tableID, columnID: f.columnID, dataTypeSize: f.dataTypeSize, dataTypeModifier: f.dataTypeModifier, format: f.format })),
    rowAsArray: true,
  }
}

/** @param {import('node:http').ServerResponse} response @param {number} status @param {unknown} body */
function send(response, status, body) {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

/**
 * Starts the endpoint (needs the `pg` package). Point the driver at it with
 * `neonConfig.fetchEndpoint = () => url` and use any `postgres://` URL of the target server.
 * @example
 * const endpoint = await startNeonHttpServer({ port: 0 })
 * neonConfig.fetchEndpoint = () => endpoint.url
 * await endpoint.close()
 */
export async function startNeonHttpServer({ port = 4444, host = '127.0.0.1' } = {}) {
  const { default: pg } = await optionalImport(() => import('pg'), 'pg')
  /** @type {Map<string, import('pg').Pool>} */
  const pools = new Map()
  /** @param {string} url */
  const poolFor = (url) => {
    let pool = pools.get(url)
    if (!pool) {
      pool = new pg.Pool({ connectionString: url.replace(/[?&]sslmode=[^&]*/, ''), max: 20 })
      pool.on('error', () => {}) // an idle client lost with the server: the next query reports it
      // A checked-out client lost mid-query also emits 'error' (besides failing the query); unhandled, it
      // would crash the endpoint. The pool drops the broken client on release.
      pool.on('connect', (client) => client.on('error', () => {}))
      pools.set(url, pool)
    }
    return pool
  }

  const server = createServer(async (request, response) => {
    const url = request.headers['neon-connection-string']
    if (request.method !== 'POST' || typeof url !== 'string') return send(response, 400, { message: 'POST with a Neon-Connection-String header' })
    /** @type {PoolClient | undefined} */
    let client
    let inTransaction = false
    try {
      const body = /** @type {NeonQuery & { queries?: NeonQuery[] }} */ (await readJson(request))
      client = await poolFor(url).connect()
      if (!body.queries) return send(response, 200, await run(client, body))
      const level = request.headers['neon-batch-isolation-level']
      const isolation = typeof level === 'string' && isolationLevels.has(level) ? ` isolation level ${level.replace(/([a-z])([A-Z])/, '$1 $2')}` : ''
      const readOnly = request.headers['neon-batch-read-only'] === 'true' ? ' read only' : ''
      await client.query(`begin${isolation}${readOnly}`)
      inTransaction = true
      const results = []
      for (const query of body.queries) results.push(await run(client, query))
      await client.query('commit')
      inTransaction = false
      send(response, 200, { results })
    } catch (error) {
      if (inTransaction) await client?.query('rollback').catch(() => {})
      const e = /** @type {Record<string, unknown> & Error} */ (error)
      // Postgres answered: 400 with its fields, as Neon does. Not reached at all: 503.
      if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) {
        send(response, 400, { message: e.message, ...Object.fromEntries(errorFields.map((f) => [f, e[f]])) })
      } else {
        response.writeHead(503).end(`database unavailable: ${e.message}`)
      }
    } finally {
      client?.release()
    }
  })
  // Node closes an idle keep-alive socket after 5 s. A client in this process (EdgeVM, the tests) whose event
  // loop a CPU-bound step (Argon2id) stalls past that writes its next request on the socket just as the
  // delayed timer closes it, and its fetch fails; a long idle timeout leaves nothing to race. close() ends them.
  server.keepAliveTimeout = 60_000
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve(undefined))
  })
  const { port: bound } = /** @type {import('node:net').AddressInfo} */ (server.address())
  return {
    url: `http://${host}:${bound}/sql`,
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      await Promise.all([...pools.values()].map((pool) => pool.end()))
    },
  }
}
