import type { DpopProofRequest, VerifiedDpopProof } from './dpop/types.ts'
/** Which manager issued a token: `'jwt'` (JwtTokenManager) or `'session'` (ServerSideSessionsTokenManager). */
export type TokenIssuer = 'jwt' | 'session'

/** What a sign-in returns to the client. Serialised as JSON by the Hono routes (dates as ISO strings). */
export interface AuthSuccess {
  authStrategy: TokenIssuer
  /** The access token (JWT) or the session token. */
  token: string
  /** When `token` stops being valid; `null` for a session without a lifetime. */
  tokenExpiresAt: Date | null
  /** Only for JWTs: the long-lived token to trade for a new pair at `POST /auth/refresh`. */
  refreshToken: string | null
  /**
   * Only for JWTs: when `refreshToken` dies unless it is used first (each refresh slides it). Read on the
   * app server's clock; the store's clock decides. Sets the lifetime of the refresh cookie in cookie mode.
   */
  refreshTokenExpiresAt?: Date
  authUserId: string
  scopeNames: string[]
  /** The id `listTokens` reports and `revokeToken` accepts (refresh token id or session id). */
  tokenId: string
  /** Only for JWTs: the refresh token's row id, to relate app metadata to it. */
  jwtRefreshTokenId?: string
  /** Only for DPoP-bound JWTs: the key's RFC 7638 thumbprint (`cnf.jkt`); send the token as `Authorization: DPoP`. */
  dpopJkt?: string
}

/** The result of a successful `validateToken`. */
export interface AuthenticationInfo {
  /** The auth user id (`sub` of a JWT). */
  userIdentifier: string
  scopes: string[]
  /** Equals the `tokenId` of `listTokens` / `revokeToken`. */
  authId: string
  tokenIssuer: TokenIssuer
  /** JWT only: the extra claims the token carries. */
  extraClaims?: Record<string, unknown>
  /** JWT only: the RFC 7638 thumbprint of the DPoP key the token is bound to (`cnf.jkt`); absent when unbound. */
  dpopJkt?: string
}

/** One entry of `listTokens`. */
export interface TokenInfo {
  authUserId: string
  tokenId: string
  tokenIssuer: TokenIssuer
  scopes: string[]
  method: string
  createdAt: Date
  lastUsedAt?: Date
  expiresAt?: Date
}

/**
 * Passed through, untouched, to `extraClaimsProvider`, `onRefreshTokenCreated` and `onSessionCreated`:
 * whatever the app needs there (request headers, IP, a device name). Serverpod's `session` plays this role.
 */
export type IssueContext = unknown

export interface IssueTokenOptions<TDb = unknown> extends Pick<EventOptions, 'waitUntil'> {
  authUserId: string
  /** How the user signed in: `'email'`, `'google'`, `'pat'`, … Used to filter list/revoke. */
  method: string
  /** Defaults to the user's scopes from `authUsers`, else none. */
  scopes?: Iterable<string>
  /** Run the insert (and callback writes) on this open Drizzle transaction instead of the store's db. */
  transaction?: TDb
  /** Also carried into the `sign-in` event. */
  context?: IssueContext
  /**
   * The request's DPoP proof (`JwtConfig({ dpop })`): with a valid one the sign-in is bound to its key.
   * `{ proof: c.req.header('DPoP'), method: c.req.method, url: c.req.url }` in Hono.
   */
  dpop?: DpopProofRequest
}

export interface ValidateTokenOptions extends EventOptions {
  /**
   * Lets bookkeeping writes (session `lastUsedAt`, re-hashing under the primary pepper) and event delivery
   * finish after the response: pass `c.executionCtx.waitUntil` on Workers. Without it writes are awaited inline.
   */
  waitUntil?: (promise: Promise<unknown>) => void
  /**
   * The request's proof as `DpopVerifier.verify` accepted it, with the token's `ath`: a DPoP-bound token
   * validates only with a proof of its key. Without it, bound tokens are refused.
   */
  dpop?: VerifiedDpopProof
}

/** Options of `refreshAccessToken`: the request's context for the events, `waitUntil`, and its DPoP proof. */
export interface RefreshOptions extends EventOptions {
  /** The request's DPoP proof: a bound refresh token refreshes only with a proof of its key. */
  dpop?: DpopProofRequest
}

export interface RevokeTokenOptions extends EventOptions {
  tokenId: string
  /** Only the manager of this issuer acts; others ignore the call. */
  tokenIssuer?: string
  /** Why, for the `revocation` event. Default `'app'`. */
  reason?: RevocationReason
}

export interface TokenFilter {
  /** `null` means every user — it must be said explicitly. */
  authUserId: string | null
  method?: string
  /** Only the manager of this issuer acts; others return nothing. */
  tokenIssuer?: string
}

/** A revoke-all: which tokens, and why (for the `revocation` event; default `'app'`). */
export interface RevokeAllTokensOptions extends TokenFilter, EventOptions {
  reason?: RevocationReason
}

/** The contract every token manager fulfils (Serverpod's `TokenManager`). */
export interface TokenManager {
  issueToken(options: IssueTokenOptions): Promise<AuthSuccess>
  /** Never throws on bad input: anything that is not a live token gives `null`. */
  validateToken(token: string, options?: ValidateTokenOptions): Promise<AuthenticationInfo | null>
  /** An unknown or malformed id is not an error. */
  revokeToken(options: RevokeTokenOptions): Promise<void>
  revokeAllTokens(options: RevokeAllTokensOptions): Promise<void>
  listTokens(options: TokenFilter): Promise<TokenInfo[]>
  /** Deletes the rows of expired tokens; returns how many. Optional for custom managers. */
  deleteExpiredTokens?(): Promise<number>
}

/** Optional view of the app's users, consulted when issuing and refreshing. */
export interface AuthUsers {
  /** `null` when the user does not exist. */
  get(authUserId: string): Promise<{ scopes?: Iterable<string>; blocked?: boolean } | null>
}

/** The time source. Injectable so tests move time instead of sleeping. */
export type Clock = () => Date

/** A number of milliseconds, or a string such as `'30s'`, `'10m'`, `'12h'`, `'14d'`. */
export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h' | 'd'}`

/** Why tokens were revoked. `blocked-user` and `app` are passed by the app; the routes pass the sign-outs. */
export type RevocationReason = 'sign-out' | 'sign-out-all' | 'app' | 'reuse' | 'blocked-user'

/**
 * What every operation that emits events accepts: the request's context (carried into each event) and
 * `waitUntil`, which keeps delivery alive after the response on Workers.
 *
 * @example
 * ```ts
 * await jwt.refreshAccessToken(token, { context: { ipAddress }, waitUntil: (p) => ctx.waitUntil(p) })
 * ```
 */
export interface EventOptions {
  context?: IssueContext
  /** Pass `c.executionCtx.waitUntil` on Workers: deliveries (and bookkeeping writes) finish after the response. */
  waitUntil?: (promise: Promise<unknown>) => void
}
