import { MissingPasswordError } from './errors.ts'

/**
 * Where `…FromPasswords` configs read secrets: Workers `env`, `process.env`, `Deno.env.toObject()`, or
 * any record. Non-string values (Workers bindings) count as absent.
 */
export type Passwords = Readonly<Record<string, unknown>>

/** Reads `key`, or `SERVERPOD_PASSWORD_<key>` like Serverpod; throws naming the key, never a value. */
export function requirePassword(passwords: Passwords, key: string): string {
  for (const name of [key, `SERVERPOD_PASSWORD_${key}`]) {
    const value = passwords[name]
    if (typeof value === 'string' && value !== '') return value
  }
  throw new MissingPasswordError(key)
}
