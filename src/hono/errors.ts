import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { EdgeTokenError, type ErrorCode } from '../managers/errors.ts'

/** The `error` values of RFC 6750 §3.1 and RFC 6749 §5.2 this layer answers with, plus two of our own. */
export type OAuthError =
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'invalid_grant'
  | 'unsupported_grant_type'
  | 'temporarily_unavailable'
  | 'server_error'
  | 'unauthorized'
  | 'not_found'
  | 'access_denied'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'

/** The JSON body of every error response: `error` for OAuth clients, `code` to branch on precisely. */
export interface AuthErrorBody {
  error: OAuthError
  code: ErrorCode
  scope?: string
}

/**
 * Seconds a client should wait before retrying while the token store is down. Short enough that a refresh
 * whose answer was lost can be retried several times inside the 10 s default grace window.
 */
const retryAfterSeconds = '2'

interface HttpAnswer {
  status: ContentfulStatusCode
  error: OAuthError
  /** Answers about the request's credentials carry an RFC 6750 `WWW-Authenticate` challenge. */
  challenge?: true
}

// Every code's HTTP answer, in one place. Refresh failures are RFC 6749 §5.2 invalid_grant: the grant (the
// refresh token) or its owner is unusable. Configuration and storage rejections are the server's fault.
const httpAnswers: { [C in ErrorCode]: HttpAnswer } = {
  ERR_CONFIG: { status: 500, error: 'server_error' },
  ERR_MISSING_PASSWORD: { status: 500, error: 'server_error' },
  ERR_KEY_IMPORT: { status: 500, error: 'server_error' },
  ERR_UNSUPPORTED_ALGORITHM: { status: 500, error: 'server_error' },
  ERR_RESERVED_CLAIM: { status: 500, error: 'server_error' },
  ERR_STORAGE: { status: 500, error: 'server_error' },
  ERR_TOKEN_MANAGER_NOT_FOUND: { status: 404, error: 'not_found' },
  ERR_INVALID_ARGUMENT: { status: 500, error: 'server_error' },
  ERR_REFRESH_TOKEN_MALFORMED: { status: 400, error: 'invalid_grant' },
  ERR_REFRESH_TOKEN_NOT_FOUND: { status: 400, error: 'invalid_grant' },
  ERR_REFRESH_TOKEN_EXPIRED: { status: 400, error: 'invalid_grant' },
  ERR_REFRESH_TOKEN_INVALID_SECRET: { status: 400, error: 'invalid_grant' },
  ERR_REFRESH_TOKEN_REUSED: { status: 400, error: 'invalid_grant' },
  ERR_AUTH_USER_BLOCKED: { status: 400, error: 'invalid_grant' },
  ERR_AUTH_USER_NOT_FOUND: { status: 400, error: 'invalid_grant' },
  ERR_STORAGE_UNAVAILABLE: { status: 503, error: 'temporarily_unavailable' },
  // A request without credentials gets the bare challenge, no error code (RFC 6750 §3.1).
  ERR_TOKEN_MISSING: { status: 401, error: 'unauthorized', challenge: true },
  ERR_TOKEN_INVALID: { status: 401, error: 'invalid_token', challenge: true },
  ERR_AUTHORIZATION_MALFORMED: { status: 400, error: 'invalid_request', challenge: true },
  ERR_INSUFFICIENT_SCOPE: { status: 403, error: 'insufficient_scope', challenge: true },
  ERR_INVALID_REQUEST: { status: 400, error: 'invalid_request' },
  ERR_BODY_TOO_LARGE: { status: 400, error: 'invalid_request' },
  ERR_UNSUPPORTED_GRANT_TYPE: { status: 400, error: 'unsupported_grant_type' },
  ERR_TOKEN_NOT_FOUND: { status: 404, error: 'not_found' },
  ERR_NO_PUBLIC_KEYS: { status: 404, error: 'not_found' },
  ERR_CROSS_SITE_REQUEST: { status: 403, error: 'access_denied' },
  // RFC 9449 §5 and §8, as the token endpoint answers; authenticate turns them into 401 DPoP challenges.
  ERR_DPOP_PROOF_MISSING: { status: 400, error: 'invalid_dpop_proof' },
  ERR_DPOP_PROOF_INVALID: { status: 400, error: 'invalid_dpop_proof' },
  ERR_DPOP_PROOF_REPLAYED: { status: 400, error: 'invalid_dpop_proof' },
  ERR_DPOP_NONCE_REQUIRED: { status: 400, error: 'use_dpop_nonce' },
  ERR_DPOP_KEY_MISMATCH: { status: 400, error: 'invalid_grant' },
}

const quoted = (value: string) => `"${value.replace(/[\\"]/g, '\\$&')}"`

/** The `WWW-Authenticate` challenge of RFC 6750 §3: `Bearer realm="…"`, plus `error` (and `scope`) when credentials failed. */
function bearerChallenge(realm: string, error: OAuthError | undefined, scope: string | undefined): string {
  let challenge = `Bearer realm=${quoted(realm)}`
  if (error) challenge += `, error=${quoted(error)}`
  if (scope !== undefined) challenge += `, scope=${quoted(scope)}`
  return challenge
}

/** What an error answer adds to the table's: challenge parameters, cookies to clear, DPoP's challenge and nonce. */
export interface HttpErrorOptions {
  realm?: string
  scope?: string
  setCookie?: readonly string[]
  /** Instead of the table's status: a DPoP proof refused at a resource is 401 (RFC 9449 §7.1), at the token endpoint 400. */
  status?: ContentfulStatusCode
  /** More `WWW-Authenticate` challenges (the `DPoP` one), after the table's `Bearer` one. */
  challenges?: readonly string[]
  /** The `DPoP-Nonce` header (RFC 9449 §8). */
  dpopNonce?: string
}

/**
 * The HTTP error for `code`, as the table says: a JSON body `{ error, code }` (never a token: callers pass
 * fixed codes only), `Cache-Control: no-store`, the challenge (for credentials, with `realm` and `scope`)
 * and `Retry-After` where they apply, plus `setCookie` lines (cookies to clear: an error response replaces
 * whatever the context's headers held).
 */
export function httpError(code: ErrorCode, options: HttpErrorOptions = {}): HTTPException {
  const { error, challenge } = httpAnswers[code]
  const status = options.status ?? httpAnswers[code].status
  const body: AuthErrorBody = { error, code, ...(options.scope !== undefined && { scope: options.scope }) }
  const headers = new Headers({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
  for (const line of options.setCookie ?? []) headers.append('Set-Cookie', line)
  if (challenge) headers.set('WWW-Authenticate', bearerChallenge(options.realm ?? 'api', error === 'unauthorized' ? undefined : error, options.scope))
  if (code === 'ERR_STORAGE_UNAVAILABLE') headers.set('Retry-After', retryAfterSeconds)
  for (const line of options.challenges ?? []) headers.append('WWW-Authenticate', line)
  if (options.dpopNonce !== undefined) headers.set('DPoP-Nonce', options.dpopNonce)
  return new HTTPException(status, { res: new Response(JSON.stringify(body), { status, headers }), message: code })
}

/** Whether `error` says the presented grant (refresh token, or its user) is dead for good: 400 `invalid_grant`. */
export function isDeadGrant(error: unknown): error is EdgeTokenError {
  return error instanceof EdgeTokenError && httpAnswers[error.code].error === 'invalid_grant'
}

/** The library's errors as their HTTP answer; anything else as it is, for the app's own error handler. */
export function toHttpError(error: unknown): unknown {
  if (!(error instanceof EdgeTokenError)) return error
  // A nonce challenge tells the client the nonce to use (RFC 9449 §8): it is public, not a secret.
  const nonce = (error as { nonce?: unknown }).nonce
  return httpError(error.code, typeof nonce === 'string' && error.code === 'ERR_DPOP_NONCE_REQUIRED' ? { dpopNonce: nonce } : {})
}

export { quoted }

/**
 * Runs a manager call and rethrows its failure as the matching HTTP error.
 *
 * @example
 * ```ts
 * const tokens = await guard(() => auth.tokenManager.listTokens({ authUserId }))
 * ```
 */
export async function guard<T>(operation: () => T | Promise<T>): Promise<T> {
  try {
    return await operation()
  } catch (error) {
    throw toHttpError(error)
  }
}
