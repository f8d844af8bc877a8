// Node only: the demo's secrets, generated at random on first start into the data folder (mode 0600)
// and reused after, so tokens survive restarts. Values from the environment win. Never printed.
import { randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

const names = ['jwtHmacSha512PrivateKey', 'jwtRefreshTokenHashPepper', 'serverSideSessionKeyHashPepper'] as const
export type DemoSecrets = Record<(typeof names)[number], string>

/**
 * Reads `<dataDir>/secrets.json`, creating it with 64 random bytes per secret if missing.
 *
 * @example
 * ```ts
 * const env = { ...await loadOrCreateSecrets('.data'), ...process.env }
 * ```
 */
export async function loadOrCreateSecrets(dataDir: string): Promise<DemoSecrets> {
  const file = join(dataDir, 'secrets.json')
  try {
    return JSON.parse(await readFile(file, 'utf8')) as DemoSecrets
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`Cannot read ${file}; delete it to start over.`)
  }
  const secrets = Object.fromEntries(names.map((name) => [name, randomBytes(64).toString('base64url')])) as DemoSecrets
  // 'wx': if two starts race, the loser fails instead of overwriting secrets already in use.
  await writeFile(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' })
  return secrets
}
