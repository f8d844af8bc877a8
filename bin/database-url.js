// @ts-check
// The database URL `migrate` takes: which driver it means, and how to print it without its secrets.

/** Query parameters node-postgres reads that hold a secret (or a key file's path): masked when printed. */
const secretParameter = /password|sslkey/i

/** @typedef {{ kind: 'postgres', url: URL } | { kind: 'pglite', directory: string }} DatabaseTarget */

/**
 * Reads a `postgres://` URL, or `pglite://<dir>` for an embedded PGlite database kept in that folder.
 * Throws a plain Error with a one-line reason (the caller makes it a usage error).
 * @example parseDatabaseUrl('pglite://./data') // { kind: 'pglite', directory: './data' }
 * @param {string} text
 * @returns {DatabaseTarget}
 */
export function parseDatabaseUrl(text) {
  if (text.startsWith('pglite://')) {
    const directory = text.slice('pglite://'.length)
    if (!directory) throw new Error('pglite:// needs a folder: pglite://./data or pglite:///absolute/path.')
    return { kind: 'pglite', directory }
  }
  /** @type {URL} */
  let url
  try {
    url = new URL(text)
  } catch {
    throw new Error('The database URL is not a URL (expected postgres://user:password@host/database or pglite://<dir>).')
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') throw new Error(`The database URL must start with postgres:// or pglite:// (got ${url.protocol}//).`)
  return { kind: 'postgres', url }
}

/**
 * The secret parts of a URL as they may appear in a driver's message: the userinfo password and every
 * `*password*`/`sslkey` parameter, raw and decoded.
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
 * @param {DatabaseTarget} target
 */
export function describeTarget(target) {
  if (target.kind === 'pglite') return `pglite://${target.directory}`
  const copy = new URL(target.url)
  if (copy.password) copy.password = '***'
  for (const name of new Set(copy.searchParams.keys())) {
    if (secretParameter.test(name)) copy.searchParams.set(name, '***')
  }
  return copy.toString()
}

/**
 * `text` with every secret of the target's URL masked: for driver messages, which may quote the URL.
 * @example redactSecrets('password "pw" refused', target) // 'password "***" refused'
 * @param {string} text
 * @param {DatabaseTarget} target
 */
export function redactSecrets(text, target) {
  if (target.kind === 'pglite') return text
  return secretsOf(target.url).reduce((masked, secret) => masked.replaceAll(secret, '***'), text)
}
