// @ts-check
// `secrets`: fresh random values for JwtConfigFromPasswords and ServerSideSessionsConfigFromPasswords.
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'

/** A usage error: exit 2 with the usage on stderr. */
export class UsageError extends Error {}

/**
 * Local-development settings the dotenv format adds (it is what `.dev.vars` holds): the Postgres on this
 * machine, reached by `wrangler dev` through `npx edge-token-managers neon-http`.
 */
export const localDatabase = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
  NEON_FETCH_ENDPOINT: 'http://127.0.0.1:4444/sql',
}

/** base64url of `bytes` random bytes: no quoting needed in dotenv, shells or JSON. @param {number} bytes */
const randomSecret = (bytes) => randomBytes(bytes).toString('base64url')

/**
 * The passwords the `…FromPasswords` configs read. HS512 wants a key as long as its hash (64 bytes);
 * peppers need ≥ 10 characters, 32 random bytes recommended (src/managers/peppers.ts).
 * @example generateSecrets(false).jwtRefreshTokenHashPepper // 43 base64url characters
 * @param {boolean} es512
 * @returns {Record<string, string>}
 */
export function generateSecrets(es512) {
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
 * The secrets as text in one of the three formats.
 * @example formatSecrets(generateSecrets(false), 'json')
 * @param {Record<string, string>} secrets
 * @param {string} format
 */
export function formatSecrets(secrets, format) {
  const entries = Object.entries(secrets)
  switch (format) {
    case 'dotenv':
      // PEM spans lines: a double-quoted multi-line value, as dotenv, `node --env-file` and wrangler read it.
      return [
        ...entries.map(([name, value]) => (value.includes('\n') ? `${name}="${value}"` : `${name}=${value}`)),
        '# Local Postgres for `wrangler dev` (through `npx edge-token-managers neon-http`) and `migrate --env-file`.',
        '# In production: `npx wrangler secret put DATABASE_URL` with your Neon URL, and no NEON_FETCH_ENDPOINT.',
        ...Object.entries(localDatabase).map(([name, value]) => `${name}=${value}`),
      ].join('\n')
    case 'wrangler':
      // Values hold no single quote (base64url, PEM), so single-quoting is exact, newlines included.
      return [
        "# Run in your Worker's folder. The values stay in your shell history unless you clear it.",
        '# Also set DATABASE_URL (your Neon connection string): npx wrangler secret put DATABASE_URL',
        ...entries.map(([name, value]) => `printf %s '${value}' | npx wrangler secret put ${name}`),
      ].join('\n')
    case 'json':
      return JSON.stringify(secrets, null, 2)
    default:
      throw new UsageError(`Unknown --format "${format}": use dotenv, wrangler or json.`)
  }
}

/**
 * Writes `text` to a new file only its owner can read (0600); an existing file is never overwritten.
 * @example writeSecretFile('.dev.vars', formatSecrets(generateSecrets(false), 'dotenv'))
 * @param {string} path
 * @param {string} text
 */
export function writeSecretFile(path, text) {
  try {
    writeFileSync(path, text, { mode: 0o600, flag: 'wx' })
  } catch (error) {
    if (/** @type {{ code?: string }} */ (error).code === 'EEXIST') throw new Error(`${path} already exists; not overwritten (remove it, or pick another --out).`)
    throw error
  }
}
