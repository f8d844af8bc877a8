import { MissingPasswordError } from './errors.ts'

/**
 * Where `…FromPasswords` configs read secrets: Workers `env` (the `interface Env` that `wrangler types`
 * writes fits), `process.env`, `Deno.env.toObject()`, or any object. Non-string values (Workers bindings)
 * count as absent.
 */
export type Passwords = object

/**
 * Reads each of `keys`, or `SERVERPOD_PASSWORD_<key>` like Serverpod. Throws once, naming every missing
 * key (never a value), so a deployment learns all it lacks in one run.
 */
export function requirePasswords<K extends string>(passwords: Passwords, keys: readonly K[]): Record<K, string> {
  const found = {} as Record<K, string>
  const missing: string[] = []
  for (const key of keys) {
    const value = [key, `SERVERPOD_PASSWORD_${key}`].map((name) => (passwords as Record<string, unknown>)[name])
      .find((v): v is string => typeof v === 'string' && v !== '')
    if (value === undefined) missing.push(key)
    else found[key] = value
  }
  if (missing.length > 0) throw new MissingPasswordError(missing)
  return found
}
