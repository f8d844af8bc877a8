/**
 * Every `code` the library reports — on a thrown `EdgeTokenError` and in the JSON body of an HTTP error
 * from `edge-token-managers/hono` — with what it means. Codes are stable across releases: branch on them,
 * never on messages. Adding a code is a deliberate act: TypeScript then asks the HTTP table for its answer.
 *
 * @example
 * ```ts
 * if (error instanceof EdgeTokenError && error.code === 'ERR_REFRESH_TOKEN_REUSED') warnUser(errorCodes[error.code])
 * ```
 */
export const errorCodes = {
  // Configuration: the deployment must be fixed; retrying does not help (HTTP 500).
  ERR_CONFIG: 'A configuration value is missing or out of range (the message names the option), or the clock returned no valid time.',
  ERR_MISSING_PASSWORD: 'A password that a …FromPasswords config reads is not set (the message names it).',
  ERR_KEY_IMPORT: 'A key could not be imported: wrong type, wrong curve, malformed JWK or PEM.',
  ERR_UNSUPPORTED_ALGORITHM: "The runtime's Web Crypto lacks a primitive the configuration needs (e.g. ECDSA P-521).",
  ERR_RESERVED_CLAIM: 'extraClaimsProvider returned a registered or dev.serverpod. claim; nothing was written.',
  ERR_TOKEN_MANAGER_NOT_FOUND: 'getTokenManager(Type) found no manager of that type.',
  ERR_INVALID_ARGUMENT: 'A call got an argument it cannot use, e.g. issueToken without an authUserId (the message names it).',

  // Refresh: the refresh token is unusable for good; the client must sign in again (HTTP 400 invalid_grant).
  ERR_REFRESH_TOKEN_MALFORMED: 'The refresh token is not in the store’s format (this library’s, or Serverpod’s with serverpodStore).',
  ERR_REFRESH_TOKEN_NOT_FOUND: 'No such refresh token: revoked, signed out, or its family was revoked for reuse.',
  ERR_REFRESH_TOKEN_EXPIRED: 'The refresh token outlived refreshTokenLifetime since its last rotation.',
  ERR_REFRESH_TOKEN_INVALID_SECRET: 'The refresh token’s fixed secret does not match: not a token this server issued.',
  ERR_REFRESH_TOKEN_REUSED: 'An already rotated refresh token was presented again (a copy, or a response lost long ago): the whole family is revoked.',
  ERR_AUTH_USER_BLOCKED: 'authUsers reports the user as blocked: no new tokens.',
  ERR_AUTH_USER_NOT_FOUND: 'authUsers does not know the user.',

  // DPoP (RFC 9449): the proof of possession that comes with a key-bound token or asks to bind one.
  ERR_DPOP_PROOF_MISSING: 'A DPoP proof is required (binding is required, or the token is bound to a key) but the request carries none.',
  ERR_DPOP_PROOF_INVALID: 'The DPoP proof is malformed, not signed by its own key, or does not fit the request (method, URL, time, access token hash).',
  ERR_DPOP_PROOF_REPLAYED: 'A DPoP proof with this jti was already used with this key.',
  ERR_DPOP_NONCE_REQUIRED: 'The DPoP proof must carry the server’s current nonce; the DPoP-Nonce header of the answer has it.',
  ERR_DPOP_KEY_MISMATCH: 'The DPoP proof is signed by another key than the one the token is bound to (cnf.jkt).',

  // Storage.
  ERR_STORAGE_UNAVAILABLE: 'The database did not answer in time or failed transiently; retry later (HTTP 503 with Retry-After).',
  ERR_STORAGE: 'The database refused the operation (a missing migration, an app constraint); retrying does not help (HTTP 500).',

  // HTTP only (edge-token-managers/hono): answers about the request itself.
  ERR_TOKEN_MISSING: 'The request carries no token (HTTP 401, bare Bearer challenge).',
  ERR_TOKEN_INVALID: 'The token is invalid, expired or revoked (HTTP 401 invalid_token).',
  ERR_AUTHORIZATION_MALFORMED: 'The Authorization header is not a well-formed Bearer credential (HTTP 400 invalid_request).',
  ERR_INSUFFICIENT_SCOPE: 'The token lacks a scope the route requires (HTTP 403 insufficient_scope).',
  ERR_INVALID_REQUEST: 'The request body is not what the route expects (HTTP 400 invalid_request).',
  ERR_BODY_TOO_LARGE: 'The request body is larger than the route accepts (HTTP 400 invalid_request).',
  ERR_UNSUPPORTED_GRANT_TYPE: 'A form refresh named a grant_type other than refresh_token (HTTP 400 unsupported_grant_type).',
  ERR_TOKEN_NOT_FOUND: 'The token to revoke is not one of the caller’s (HTTP 404).',
  ERR_NO_PUBLIC_KEYS: 'No ES512 key is configured, so there is no JWKS to serve (HTTP 404).',
  ERR_CROSS_SITE_REQUEST: 'A state-changing request authenticated by a cookie was started by another site (HTTP 403 access_denied).',
} as const

/** One of {@link errorCodes}' keys: every code the library reports. */
export type ErrorCode = keyof typeof errorCodes
