// @ts-check
// The database URL `migrate` takes: which database and driver it means, and how to print it without its secrets.

/**
 * Query parameters that hold a secret (or a key file's path): masked when printed. node-postgres reads
 * password, sslpassword and sslkey; libSQL reads authToken.
 */
const secretParameter = /password|sslkey|token/i

/** Schemes @libsql/client reaches: a local file, or a libSQL server (Turso, `sqld`). */
const libsqlSchemes = ['file:', 'libsql:', 'http:', 'https:', 'ws:', 'wss:']

/**
 * @typedef {{ kind: 'postgres', url: URL }
 *   | { kind: 'pglite', directory: string }
 *   | { kind: 'libsql', text: string, url: URL }
 *   | { kind: 'd1', database: string }} DatabaseTarget
 */

const expected = 'postgres://user:password@host/database, pglite://<dir>, file:<path>, libsql://<host>?authToken=…, http(s)://<host> or d1:<database>'

/**
 * Reads a `postgres://` URL, `pglite://<dir>` (an embedded PGlite folder), a libSQL URL (`file:<path>`,
 * `libsql://`, `http(s)://`, `ws(s)://`) or `d1:<database>` (a Cloudflare D1 database, migrated by wrangler).
 * Throws a plain Error with a one-line reason (the caller makes it a usage error).
 * @example parseDatabaseUrl('pglite://./data') // { kind: 'pglite', directory: './data' }
 * @example parseDatabaseUrl('d1:auth') // { kind: 'd1', database: 'auth' }
 * @param {string} text
 * @returns {DatabaseTarget}
 */
export function parseDatabaseUrl(text) {
  if (text.startsWith('pglite://')) {
    const directory = text.slice('pglite://'.length)
    if (!directory) throw new Error('pglite:// needs a folder: pglite://./data or pglite:///absolute/path.')
    return { kind: 'pglite', directory }
  }
  if (text.startsWith('d1:')) {
    const database = text.slice('d1:'.length).replace(/^\/\//, '')
    // wrangler's database and binding names; anything else would not survive being printed as a command.
    if (!/^[A-Za-z0-9_-]+$/.test(database)) throw new Error('d1: needs the D1 database (or binding) name as wrangler knows it: d1:auth.')
    return { kind: 'd1', database }
  }
  /** @type {URL} */
  let url
  try {
    url = new URL(text)
  } catch {
    throw new Error(`The database URL is not a URL (expected ${expected}).`)
  }
  if (url.protocol === 'postgres:' || url.protocol === 'postgresql:') return { kind: 'postgres', url }
  if (libsqlSchemes.includes(url.protocol)) {
    if (url.protocol === 'file:' && text.length <= 'file:'.length) throw new Error('file: needs a path: file:./auth.db or file:/absolute/auth.db.')
    // The text goes to @libsql/client unchanged: URL parsing would make file:./a.db absolute.
    return { kind: 'libsql', text, url }
  }
  throw new Error(`The database URL must be one of ${expected} (got ${url.protocol}//).`)
}

/**
 * The secret parts of a URL as they may appear in a driver's message: the userinfo password and every
 * `*password*`/`sslkey`/`*token*` parameter, raw and decoded.
 * @param {URL} url
 * @returns {string[]}
 */
function secretsOf(url) {
  const values = [url.password, ...[...url.searchParams].filter(([name]) => secretParameter.test(name)).map(([, value]) => value)]
  const spellings = values.flatMap((value) => [value, safeDecode(value), encodeURIComponent(value)])
  // Longest first, so a secret that contains another is masked whole.
  return [...new Set(spellings.filter((value) => value.length > 0))].sort((a, b) => b.length - a.length)
}

/** @param {string} value */
function safeDecode(value) {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

/**
 * The target as it is safe to print: password and secret parameters masked as `***`.
 * @example describeTarget(parseDatabaseUrl('postgres://u:pw@h/db?sslpassword=x')) // 'postgres://u:***@h/db?sslpassword=***'
 * @example describeTarget(parseDatabaseUrl('libsql://db.turso.io?authToken=x')) // 'libsql://db.turso.io?authToken=***'
 * @param {DatabaseTarget} target
 */
export function describeTarget(target) {
  if (target.kind === 'pglite') return `pglite://${target.directory}`
  if (target.kind === 'd1') return `d1:${target.database}`
  if (target.kind === 'libsql' && !target.url.password) return maskQuery(target.text)
  const copy = new URL(target.url)
  if (copy.password) copy.password = '***'
  for (const name of new Set(copy.searchParams.keys())) {
    if (secretParameter.test(name)) copy.searchParams.set(name, '***')
  }
  return copy.toString()
}

/**
 * A libSQL URL as given, its secret query parameters masked: rebuilt as a URL, file:./a.db would print absolute.
 * @param {string} text
 */
function maskQuery(text) {
  const at = text.indexOf('?')
  if (at < 0) return text
  const query = new URLSearchParams(text.slice(at + 1))
  for (const name of new Set(query.keys())) if (secretParameter.test(name)) query.set(name, '***')
  return `${text.slice(0, at + 1)}${query}`
}

/**
 * `text` with every secret of the target's URL masked: for driver messages, which may quote the URL.
 * @example redactSecrets('password "pw" refused', target) // 'password "***" refused'
 * @param {string} text
 * @param {DatabaseTarget} target
 */
export function redactSecrets(text, target) {
  if (target.kind === 'pglite' || target.kind === 'd1') return text
  return secretsOf(target.url).reduce((masked, secret) => masked.replaceAll(secret, '***'), text)
}
