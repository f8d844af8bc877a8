// DPoP at the HTTP layer (RFC 9449 §7): the `Authorization: DPoP` scheme with its `DPoP` proof header,
// the `WWW-Authenticate: DPoP` challenge, and the 401 answers of a resource. The proof rules themselves
// are the JWT manager's (`JwtConfig({ dpop })`), so a proof means the same at refresh and at a resource.
import type { Context } from 'hono'
import type { AuthServices } from '../managers/auth-services.ts'
import { EdgeTokenError, type ErrorCode } from '../managers/errors.ts'
import { JwtTokenManager } from '../managers/jwt-token-manager.ts'
import type { DpopProofRequest } from '../managers/dpop/types.ts'
import type { DpopVerifier } from '../managers/dpop/verifier.ts'
import type { AuthenticationInfo, ValidateTokenOptions } from '../managers/types.ts'
import { withEventOptions } from './request-events.ts'
import { httpError, quoted, toHttpError } from './errors.ts'

const verifiers = new WeakMap<object, DpopVerifier | null>()

/**
 * The DPoP verifier of the services' JWT manager configured with `dpop` (else of a sessions manager with
 * it); `null` when none is. A proof one verifier accepted is accepted by every manager.
 *
 * @example
 * ```ts
 * const verifier = dpopVerifierOf(auth) // remembered per token manager
 * ```
 */
export function dpopVerifierOf(services: AuthServices<any>): DpopVerifier | null {
  const { tokenManager } = services
  let verifier = verifiers.get(tokenManager)
  if (verifier === undefined) {
    // The JWT manager's first: it is the one refresh and sign-in bind with; a sessions-only setup has its own.
    const withDpop = tokenManager.managers.filter((m) => (m as { dpopVerifier?: DpopVerifier | null }).dpopVerifier)
    const jwt = withDpop.find((m) => m instanceof JwtTokenManager) ?? withDpop[0]
    verifier = (jwt as { dpopVerifier?: DpopVerifier } | undefined)?.dpopVerifier ?? null
    verifiers.set(tokenManager, verifier)
  }
  return verifier
}

/** The URL the client addressed, as DPoP proofs name it (`htu`): `c.req.url` unless the app says otherwise. */
export type RequestUrl = (c: Context<any>) => string

const ownUrl: RequestUrl = (c) => c.req.url

/**
 * The request's proof for a manager to check: the `DPoP` header (two headers arrive joined by a comma and
 * fail as malformed, as RFC 9449 §4.3 wants), the method and the URL.
 *
 * @example
 * ```ts
 * await jwt.issueToken({ authUserId, method: 'email', dpop: dpopProofRequest(c) })
 * ```
 */
export function dpopProofRequest(c: Context, requestUrl: RequestUrl = ownUrl): DpopProofRequest {
  return { proof: c.req.header('dpop'), method: c.req.method, url: requestUrl(c) }
}

/**
 * `DPoP realm="…", algs="ES256 …"` plus `error` when a DPoP credential failed (RFC 9449 §7.1).
 *
 * @example
 * ```ts
 * await dpopChallenge(verifier, 'api', 'invalid_dpop_proof') // 'DPoP realm="api", algs="ES256 …", error="invalid_dpop_proof"'
 * ```
 */
export async function dpopChallenge(verifier: DpopVerifier, realm: string, error?: string): Promise<string> {
  const algs = (await verifier.algorithms()).join(' ')
  return `DPoP realm=${quoted(realm)}, algs=${quoted(algs)}${error ? `, error=${quoted(error)}` : ''}`
}

const proofErrors: Partial<Record<ErrorCode, string>> = {
  ERR_DPOP_PROOF_MISSING: 'invalid_dpop_proof',
  ERR_DPOP_PROOF_INVALID: 'invalid_dpop_proof',
  ERR_DPOP_PROOF_REPLAYED: 'invalid_dpop_proof',
  ERR_DPOP_NONCE_REQUIRED: 'use_dpop_nonce',
}

/**
 * Validates an `Authorization: DPoP` token with its proof: the proof must fit this request and this token
 * (`ath`), and the token must be bound to the proof's key. A refused proof is 401 with the DPoP challenge
 * (and `DPoP-Nonce` when a nonce is due); `null` for a token that is not a live token bound to that key.
 *
 * @example
 * ```ts
 * const info = await validateWithProof(c, services, token, 'api', {}) // Authorization: DPoP <token>
 * ```
 */
export async function validateWithProof(
  c: Context, services: AuthServices<any>, token: string, realm: string, options: ValidateTokenOptions, requestUrl: RequestUrl = ownUrl,
): Promise<AuthenticationInfo | null> {
  const verifier = dpopVerifierOf(services)
  if (!verifier) return null
  let proof
  try {
    proof = await verifier.verify(c.req.header('dpop'), { method: c.req.method, url: requestUrl(c), accessToken: token })
  } catch (error) {
    const oauthError = error instanceof EdgeTokenError ? proofErrors[error.code] : undefined
    if (!oauthError) throw toHttpError(error)
    const nonce = (error as { nonce?: string }).nonce
    throw httpError((error as EdgeTokenError).code, {
      status: 401, realm, challenges: [await dpopChallenge(verifier, realm, oauthError)], ...(nonce !== undefined && { dpopNonce: nonce }),
    })
  }
  const info = await services.tokenManager.validateToken(token, withEventOptions(options, { dpop: proof }))
  // The DPoP scheme is for bound tokens only (RFC 9449 §7.1): an unbound one sent this way is refused.
  return info?.dpopJkt === proof.jkt ? info : null
}

/**
 * The challenges a refused request gets besides the Bearer one: `DPoP …` when DPoP is configured.
 *
 * @example
 * ```ts
 * throw httpError('ERR_TOKEN_INVALID', { realm, challenges: await dpopChallenges(services, realm) })
 * ```
 */
export async function dpopChallenges(services: AuthServices<any>, realm: string, error?: string): Promise<string[]> {
  const verifier = dpopVerifierOf(services)
  return verifier ? [await dpopChallenge(verifier, realm, error)] : []
}
