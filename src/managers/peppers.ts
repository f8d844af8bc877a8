import { ConfigError } from '../crypto/errors.ts'
import { SecretHasher, type SecretHashAlgorithm } from '../crypto/secret-hash.ts'

const minimumPepperLength = 10

function checkPepper(value: unknown, option: string): string {
  if (typeof value !== 'string' || value.length < minimumPepperLength) {
    throw new ConfigError(`${option} must be a string of at least ${minimumPepperLength} characters (32 random bytes recommended).`)
  }
  return value
}

/** Validates peppers as Serverpod does (primary and fallbacks ≥ 10 characters) and builds the hasher. */
export function pepperedHasher(options: {
  pepper: unknown
  pepperOption: string
  fallbackPeppers: readonly unknown[] | undefined
  fallbackOption: string
  algorithm: SecretHashAlgorithm | undefined
  saltLength?: number
}): SecretHasher {
  const pepper = checkPepper(options.pepper, options.pepperOption)
  // An unset variable (`undefined`, '') is no fallback: the normal state before a first rotation.
  const fallbackPeppers = (options.fallbackPeppers ?? []).map((p, i) => (p === undefined || p === '' ? undefined : checkPepper(p, `${options.fallbackOption}[${i}]`)))
    .filter((p): p is string => p !== undefined)
  return new SecretHasher({
    pepper,
    fallbackPeppers,
    ...(options.algorithm && { algorithm: options.algorithm }),
    ...(options.saltLength !== undefined && { saltLength: options.saltLength }),
  })
}
