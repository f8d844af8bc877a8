import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { EdgeTokenError, type ErrorCode } from '../managers/errors.ts'

/** The `error` values of RFC 6750 §3.1 and RFC 6749 §5.2 this layer answers with, plus two of our own. */
export type OAuthError =
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'invalid_grant'
  | 'temporarily_unavailable'
  | 'server_error'
  | 'unauthorized'
  | 'not_found'
  | 'access_denied'

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

// The refresh outcomes RFC 6749 §5.2 calls invalid_grant: the grant (refresh token) or its owner is unusable.
const invalidGrantCodes = new Set<ErrorCode>([
  'ERR_REFRESH_TOKEN_MALFORMED',
  'ERR_REFRESH_TOKEN_NOT_FOUND',
  'ERR_REFRESH_TOKEN_EXPIRED',
  'ERR_REFRESH_TOKEN_INVALID_SECRET',
  'ERR_REFRESH_TOKEN_REUSED',
  'ERR_AUTH_USER_BLOCKED',
  'ERR_AUTH_USER_NOT_FOUND',
])

const quoted = (value: string) => `"${value.replace(/[\\"]/g, '\\$&')}"`

/**
 * The `WWW-Authenticate` challenge of RFC 6750 §3: `Bearer realm="…"`, plus `error` (and `scope`) when
 * the client sent credentials that failed. A request without credentials gets no error code.
 */
export function bearerChallenge(realm: string, error?: OAuthError, scope?: string): string {
  let challenge = `Bearer realm=${quoted(realm)}`
  if (error) challenge += `, error=${quoted(error)}`
  if (scope !== undefined) challenge += `, scope=${quoted(scope)}`
  return challenge
}

/**
 * An `HTTPException` carrying a JSON error body (never a token: callers only pass fixed strings and codes).
 */
export function authException(status: ContentfulStatusCode, body: AuthErrorBody, headers: Record<string, string> = {}): HTTPException {
  const res = new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  })
  return new HTTPException(status, { res, message: body.code })
}

/**
 * An error answer with its RFC 6750 challenge: `WWW-Authenticate` names the body's `error` (and `scope`),
 * so header and body cannot disagree — except `unauthorized`: a request without credentials gets the
 * bare challenge, no error code (§3.1).
 */
export function challengeException(status: ContentfulStatusCode, realm: string, body: AuthErrorBody, headers: Record<string, string> = {}): HTTPException {
  const error = body.error === 'unauthorized' ? undefined : body.error
  return authException(status, body, { 'WWW-Authenticate': bearerChallenge(realm, error, body.scope), ...headers })
}

/**
 * Maps an error thrown by the managers to its HTTP answer: refresh failures → 400 `invalid_grant`,
 * storage down → 503 with `Retry-After` (never 401), other library errors → 500. Errors that are not
 * the library's are returned as they are, for the app's own error handler.
 */
export function toHttpError(error: unknown): unknown {
  if (!(error instanceof EdgeTokenError)) return error
  const { code } = error
  if (invalidGrantCodes.has(code)) return authException(400, { error: 'invalid_grant', code })
  if (code === 'ERR_STORAGE_UNAVAILABLE') {
    return authException(503, { error: 'temporarily_unavailable', code }, { 'Retry-After': retryAfterSeconds })
  }
  if (code === 'ERR_TOKEN_MANAGER_NOT_FOUND') return authException(404, { error: 'not_found', code })
  return authException(500, { error: 'server_error', code })
}

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
