import type { ErrorCode } from './error-codes.ts'

/**
 * Base class of every error this library throws on purpose. `code` is stable across releases:
 * branch on it, not on the message. Messages never contain tokens, secrets, peppers or hashes.
 *
 * @example
 * ```ts
 * try { await jwt.refreshAccessToken(token) }
 * catch (e) { if (e instanceof EdgeTokenError && e.code === 'ERR_REFRESH_TOKEN_EXPIRED') signOut() }
 * ```
 */
export class EdgeTokenError extends Error {
  readonly code: ErrorCode
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }
}

/** A key could not be imported: wrong type, wrong curve, malformed JWK/PEM. */
export class KeyImportError extends EdgeTokenError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_KEY_IMPORT', message, options)
  }
}

/** The runtime's Web Crypto lacks a primitive the configuration needs (e.g. ECDSA P-521). */
export class UnsupportedAlgorithmError extends EdgeTokenError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_UNSUPPORTED_ALGORITHM', message, options)
  }
}

/** A configuration value is out of range or missing; the message names the option, never its value. */
export class ConfigError extends EdgeTokenError {
  constructor(message: string) {
    super('ERR_CONFIG', message)
  }
}
