import { ConfigError } from '../crypto/errors.ts'
import { checkAlgorithm, SecretHasher, type SecretHashAlgorithm } from '../crypto/secret-hash.ts'
import type { HasherOptions } from './formats.ts'

const minimumPepperLength = 10

function checkPepper(value: unknown, option: string): string {
  if (typeof value !== 'string' || value.length < minimumPepperLength) {
    throw new ConfigError(`${option} must be a string of at least ${minimumPepperLength} characters (32 random bytes recommended).`)
  }
  return value
}

/**
 * Validates peppers as Serverpod does (primary and fallbacks ≥ 10 characters) and the hash options; the
 * store's formats build the hasher from the result when the manager is built.
 */
export function pepperOptions(options: {
  pepper: unknown
  pepperOption: string
  fallbackPeppers: readonly unknown[] | undefined
  fallbackOption: string
  algorithm: SecretHashAlgorithm | undefined
  saltLength?: number
}): HasherOptions {
  const pepper = checkPepper(options.pepper, options.pepperOption)
  // An unset variable (`undefined`, '') is no fallback: the normal state before a first rotation.
  const fallbackPeppers = (options.fallbackPeppers ?? []).map((p, i) => (p === undefined || p === '' ? undefined : checkPepper(p, `${options.fallbackOption}[${i}]`)))
    .filter((p): p is string => p !== undefined)
  return {
    pepper,
    fallbackPeppers,
    ...(options.algorithm && { algorithm: checkAlgorithm(options.algorithm) }),
    ...(options.saltLength !== undefined && { saltLength: options.saltLength }),
  }
}

/** The default mode's hasher for these options. */
export function pepperedHasher(options: Parameters<typeof pepperOptions>[0]): SecretHasher {
  return new SecretHasher(pepperOptions(options))
}
