import { EdgeTokenError } from '../crypto/errors.ts'

export { ConfigError, EdgeTokenError, KeyImportError, UnsupportedAlgorithmError } from '../crypto/errors.ts'
export { errorCodes, type ErrorCode } from '../crypto/error-codes.ts'

/** The refresh token is not in this library's format (or is empty). */
export class RefreshTokenMalformedError extends EdgeTokenError {
  constructor() {
    super('ERR_REFRESH_TOKEN_MALFORMED', 'The refresh token is malformed.')
  }
}

/** No refresh token with this id exists: revoked, rotated away in a race, or never issued. */
export class RefreshTokenNotFoundError extends EdgeTokenError {
  constructor() {
    super('ERR_REFRESH_TOKEN_NOT_FOUND', 'The refresh token does not exist or was revoked.')
  }
}

/** The refresh token outlived `refreshTokenLifetime`; its row has been deleted. */
export class RefreshTokenExpiredError extends EdgeTokenError {
  constructor() {
    super('ERR_REFRESH_TOKEN_EXPIRED', 'The refresh token has expired.')
  }
}

/** The secret does not match. A stale rotating secret means reuse: the whole token family is revoked. */
export class RefreshTokenInvalidSecretError extends EdgeTokenError {
  constructor() {
    super('ERR_REFRESH_TOKEN_INVALID_SECRET', 'The refresh token secret is invalid.')
  }
}

/**
 * A refresh token was presented again after it had been rotated away, outside the grace window (or at all,
 * in strict mode): a stolen copy, or a client that lost a response long ago. The whole token family is
 * revoked; the user must sign in again. A subclass of the invalid-secret error, so code that branched on
 * that still matches; branch on `code` to tell the two apart.
 */
export class RefreshTokenReusedError extends RefreshTokenInvalidSecretError {
  override readonly code = 'ERR_REFRESH_TOKEN_REUSED'
  override message = 'The refresh token was already used; its token family has been revoked. Sign in again.'
}

/** A call got an argument it cannot use, e.g. `issueToken` without an `authUserId`. The message names the argument. */
export class InvalidArgumentError extends EdgeTokenError {
  constructor(message: string) {
    super('ERR_INVALID_ARGUMENT', message)
  }
}

/** `authUsers` reports the user as blocked: no new tokens, existing rows are kept. */
export class AuthUserBlockedError extends EdgeTokenError {
  constructor() {
    super('ERR_AUTH_USER_BLOCKED', 'The user is blocked.')
  }
}

/** `authUsers` does not know the user. */
export class AuthUserNotFoundError extends EdgeTokenError {
  constructor() {
    super('ERR_AUTH_USER_NOT_FOUND', 'The user does not exist.')
  }
}

/** An extra claim would shadow a registered claim or a `dev.serverpod.` claim. Nothing was written. */
export class ReservedClaimError extends EdgeTokenError {
  constructor(claim: string) {
    super('ERR_RESERVED_CLAIM', `The extra claim "${claim}" is reserved.`)
  }
}

/** `getTokenManager(Type)` found no manager of that type. */
export class TokenManagerNotFoundError extends EdgeTokenError {
  constructor(typeName: string) {
    super('ERR_TOKEN_MANAGER_NOT_FOUND', `No token manager of type ${typeName} is configured.`)
  }
}

/** A required password (secret) is missing from the record given to a `…FromPasswords` config. */
export class MissingPasswordError extends EdgeTokenError {
  /** Every password that is missing. */
  readonly keys: readonly string[]
  constructor(keys: string | readonly string[]) {
    const list = typeof keys === 'string' ? [keys] : keys
    const names = list.map((key) => `"${key}"`).join(', ')
    super('ERR_MISSING_PASSWORD', `${list.length === 1 ? 'The password' : 'The passwords'} ${names} ${list.length === 1 ? 'is' : 'are'} not set ` +
      `(also looked for the SERVERPOD_PASSWORD_ prefix). \`npx edge-token-managers secrets\` prints fresh values.`)
    this.keys = list
  }
}

/**
 * The database could not be reached or failed mid-operation. Nothing was half-written; retrying later
 * is safe. The Hono layer answers 503 — never 401 — for this error.
 */
export class StorageUnavailableError extends EdgeTokenError {
  readonly retryable = true
  constructor(options?: { cause?: unknown }) {
    super('ERR_STORAGE_UNAVAILABLE', 'The token store is unavailable; retry later.', options)
  }
}

/**
 * The database rejected an operation for a reason other than availability (a constraint in an app
 * write, a missing migration). `driverCode` is the database's own code: the SQLSTATE on Postgres (also
 * in `sqlState`), `SQLITE_…` on SQLite. The message carries no values.
 */
export class StorageError extends EdgeTokenError {
  /** The Postgres error code; undefined on SQLite. */
  readonly sqlState: string | undefined
  readonly driverCode: string | undefined
  /** `hint`: what to do about it, when the cause is known (a missing table names the migrate command). */
  constructor(sqlState: string | undefined, options?: { cause?: unknown; hint?: string; driverCode?: string }) {
    const driverCode = sqlState ?? options?.driverCode
    const named = sqlState ? ` (SQLSTATE ${sqlState})` : driverCode ? ` (${driverCode})` : ''
    super('ERR_STORAGE', `The token store rejected the operation${named}.${options?.hint ? ` ${options.hint}` : ''}`, options)
    this.sqlState = sqlState
    this.driverCode = driverCode
  }
}
