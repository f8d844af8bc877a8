import type { WebCryptoKey } from '../crypto/web-types.ts'
import { randomBytes } from '../crypto/bytes.ts'
import { signJws, type JwsKey } from '../crypto/jws.ts'
import { importHmacSha512Key } from '../crypto/keys.ts'
import { Loading, observed } from '../crypto/loading.ts'
import { ConfigError } from '../crypto/errors.ts'
import { accessTokenClaims, checkExtraClaims } from './access-token.ts'
import { accessTokenValidator, type AccessTokenValidator } from './access-token-validator.ts'
import { admitUser, type ManagerContext } from './builder.ts'
import { RefreshRotation } from './refresh-rotation.ts'
import { RefreshTokenMalformedError } from './errors.ts'
import { revokedId, rowFilter } from './token-filter.ts'
import { VerifiedTokens } from './verified-tokens.ts'
import { DpopBinder, boundRefreshJkt, type resolveDpopSetting } from './dpop/binding.ts'
import type { DpopVerifier } from './dpop/verifier.ts'
import { accessTokenFailures, looksLikeJws } from './access-token-diagnosis.ts'
import { noEvents, recognizesToken, type AuthEvents, type RecognizesTokens } from './event-delivery.ts'
import type { JwtAlgorithm, PublicJwk } from './jwt-algorithm.ts'
import { defaultFormats, type HasherOptions, type RefreshTokenFormat, type SecretHashing } from './formats.ts'
import { deriveNextRotatingSecret } from './refresh-token.ts'
import type { NewRow, RefreshTokenRow } from './storage.ts'
import type {
  AuthSuccess, AuthenticationInfo, IssueContext, IssueTokenOptions, RefreshOptions, RevokeAllTokensOptions, RevokeTokenOptions,
  TokenFilter, TokenInfo, TokenManager, ValidateTokenOptions,
} from './types.ts'

interface Keys {
  signing: JwsKey
  verification: JwsKey[]
  publicJwks: PublicJwk[]
  rotation: WebCryptoKey
}

/** Called while issuing; the result becomes top-level claims of every access token of that refresh token. */
export type ExtraClaimsProvider<TContext = IssueContext> = (input: {
  authUserId: string
  method: string
  scopes: string[]
  context: TContext
}) => Record<string, unknown> | Promise<Record<string, unknown>>

/**
 * Called before a refresh token row is inserted; returns Drizzle queries (e.g. an insert into your
 * metadata table) that commit atomically with the row — or nothing.
 */
export type OnRefreshTokenCreated<TDb = any, TContext = IssueContext> = (input: {
  authUserId: string
  refreshTokenId: string
  db: TDb
  context: TContext
}) => readonly unknown[] | void | Promise<readonly unknown[] | void>

/** Options of a JWT config once validated, with durations in milliseconds. */
export interface ResolvedJwtConfig {
  algorithm: JwtAlgorithm
  verificationAlgorithms: readonly JwtAlgorithm[]
  /** Validated peppers and hash options; the store's formats turn them into hashers. */
  hashing: HasherOptions
  /** The primary pepper also keys the derivation of rotated secrets. */
  rotationPepper: string
  accessTokenLifetime: number
  refreshTokenLifetime: number
  gracePeriod: number
  clockTolerance: number
  verifiedTokenCacheSize: number
  issuer: string | undefined
  // The manager hands each callback whatever issueToken got as `context`: it has no type of its own here.
  extraClaimsProvider: ExtraClaimsProvider<any> | undefined
  onRefreshTokenCreated: OnRefreshTokenCreated<any, any> | undefined
  /** DPoP binding (`JwtConfig({ dpop })`); `null` when off. */
  dpop: ReturnType<typeof resolveDpopSetting>
}

/**
 * Stateless access tokens (JWT, HS512 or ES512) with rotating refresh tokens stored as peppered hashes.
 * Validation touches no database; a refresh is one compare-and-swap (a read first only when something is off).
 *
 * @example
 * ```ts
 * const jwt = auth.getTokenManager(JwtTokenManager)
 * const next = await jwt.refreshAccessToken(refreshToken) // new access token + rotated refresh token
 * ```
 */
export class JwtTokenManager implements TokenManager, RecognizesTokens {
  readonly tokenIssuer = 'jwt' as const
  /** Resolves once every key is imported; rejects with a typed error if one cannot be. */
  readonly ready: Promise<void>
  readonly #config: ResolvedJwtConfig
  readonly #context: ManagerContext
  readonly #keys: Loading<Keys>
  /** Built once the keys are in, then called without an await (a measurable share of a ~5 µs verify on workerd). */
  readonly #validate: Loading<AccessTokenValidator>
  /** The store's refresh-token format and the hashers it builds from this config's peppers. */
  readonly #format: RefreshTokenFormat
  readonly #hashers: { fixed: SecretHashing; rotating: SecretHashing }
  readonly #rotation: RefreshRotation
  readonly #dpop: DpopBinder
  readonly #events: AuthEvents
  /** Reports a failed validation; its reason is worked out after the response, only for reported ones. */
  readonly #failed: (token: string, options: ValidateTokenOptions | undefined) => null

  constructor(config: ResolvedJwtConfig, context: ManagerContext) {
    this.#config = config
    this.#context = context
    this.#events = context.events ?? noEvents
    this.#format = (context.store.formats ?? defaultFormats).refreshToken
    this.#hashers = this.#format.hashers(config.hashing)
    // Serverpod's tables have no column for the key: a binding would be forgotten at the first refresh.
    if (config.dpop && context.store.formats) throw new ConfigError('dpop needs the library\'s own tables (not serverpodStore).')
    const dpop = (this.#dpop = new DpopBinder(config.dpop, () => context.clock.now().getTime()))
    this.#rotation = new RefreshRotation(context, { hashers: this.#hashers, gracePeriod: config.gracePeriod, refreshTokenLifetime: config.refreshTokenLifetime })
    this.#keys = new Loading(async (): Promise<Keys> => {
      const [primary, ...all] = await Promise.all([config.algorithm, ...config.verificationAlgorithms].map((a) => a.keys()))
      if (!primary?.signing) throw new ConfigError('algorithm needs a private key to sign access tokens.')
      return {
        signing: primary.signing,
        verification: all.map((k) => k.verification),
        publicJwks: all.flatMap((k) => (k.publicJwk ? [k.publicJwk] : [])),
        rotation: await importHmacSha512Key(config.rotationPepper),
      }
    })
    this.#validate = new Loading(async () => accessTokenValidator((await this.#keys.promise).verification, {
      issuer: config.issuer,
      clockToleranceMs: config.clockTolerance,
      now: () => context.clock.now().getTime(),
      ...(config.verifiedTokenCacheSize > 0 && { cache: new VerifiedTokens(config.verifiedTokenCacheSize, config.clockTolerance) }),
      admits: (info, proof) => dpop.admits(info, proof),
    }))
    this.#failed = accessTokenFailures(this.#events, async () => (await this.#keys.promise).verification, { issuer: config.issuer, clockToleranceMs: config.clockTolerance }, context.clock)
    this.ready = observed(Promise.all([this.#keys.promise, this.#hashers.fixed.ready(), this.#hashers.rotating.ready()]).then(() => undefined))
  }

  async issueToken(options: IssueTokenOptions): Promise<AuthSuccess> {
    const { authUserId, method } = options
    const scopes = await admitUser(this.#context.authUsers, options)
    const provided = await this.#config.extraClaimsProvider?.({ authUserId, method, scopes, context: options.context })
    const extraClaims = provided === undefined ? null : checkExtraClaims(provided)
    const dpopJkt = await this.#dpop.proofJkt(options.dpop)

    const now = this.#context.clock.now()
    const id = crypto.randomUUID()
    const fixedSecret = randomBytes(this.#format.secretLengths.fixed)
    const rotatingSecret = randomBytes(this.#format.secretLengths.rotating)
    const [fixedSecretHash, rotatingSecretHash] = await Promise.all([
      this.#hashers.fixed.hash(fixedSecret),
      this.#hashers.rotating.hash(rotatingSecret),
    ])
    const row: NewRow<RefreshTokenRow> = {
      id, authUserId, method, scopes, extraClaims, fixedSecretHash, rotatingSecretHash,
      previousRotatingSecretHash: null, dpopJkt, createdAt: this.#context.clock.stamp(),
    }
    // Sign before writing: once the row is stored, nothing can fail and leave it without a token.
    const success = await this.#success(row, this.#format.encode({ id, fixedSecret, rotatingSecret }), now, dpopJkt)
    const writes = await this.#config.onRefreshTokenCreated?.({ authUserId, refreshTokenId: id, db: this.#context.store.db, context: options.context })
    await this.#context.store.insertRefreshToken(row, { writes: writes ?? [], transaction: options.transaction })
    this.#events.emit(options, { type: 'sign-in', tokenIssuer: 'jwt', tokenId: id, authUserId, method, scopes: [...scopes] })
    return success
  }

  validateToken(token: string, options?: ValidateTokenOptions): Promise<AuthenticationInfo | null> {
    // A broken clock or an unusable key rejects (ConfigError, KeyImportError: HTTP 500) rather than reading
    // as "token invalid" (401), or the operator would never learn of it. No await once the keys are in.
    const validate = this.#validate.value
    const proof = options?.dpop
    const result = validate ? validate(token, proof) : this.#validate.promise.then((loaded) => loaded(token, proof))
    return this.#events.enabled ? result.then((info) => info ?? this.#failed(token, options)) : result
  }

  /** The verifier of this manager's DPoP proofs (`JwtConfig({ dpop })`), or `null` when DPoP is off. */
  get dpopVerifier(): DpopVerifier | null {
    return this.#dpop.verifier
  }

  /** Whether `token` has the access-token shape (see `MultiTokenManager`'s failure reports). */
  [recognizesToken](token: string): boolean {
    return typeof token === 'string' && looksLikeJws(token)
  }

  /**
   * Trades a refresh token for a new access token and a rotated refresh token.
   * Presenting the previous refresh token again within `refreshTokenRotationGracePeriod` returns the same
   * new pair (lost responses, parallel tabs); after that it counts as reuse and revokes the whole family.
   * With a grace period of 0 every refresh token works exactly once, even for callers racing each other.
   * The window is measured on the database's clock, between the moments the two requests reached it.
   *
   * @throws RefreshTokenMalformedError | RefreshTokenNotFoundError | RefreshTokenExpiredError |
   *   RefreshTokenInvalidSecretError | RefreshTokenReusedError | AuthUserBlockedError | StorageUnavailableError
   */
  async refreshAccessToken(refreshToken: string, options?: RefreshOptions): Promise<AuthSuccess> {
    const parts = this.#format.decode(refreshToken)
    if (!parts) throw new RefreshTokenMalformedError()
    const proofJkt = await this.#dpop.proofJkt(options?.dpop)
    const keys = await this.#keys.promise
    const next = await deriveNextRotatingSecret(keys.rotation, parts.id, parts.rotatingSecret, this.#format.secretLengths.rotating)
    const { row, graceRetry, at } = await this.#rotation.rotate(parts, next, options, proofJkt)
    const encoded = this.#format.encode({ id: row.id, fixedSecret: parts.fixedSecret, rotatingSecret: next })
    const success = await this.#success(row, encoded, this.#context.clock.now(), boundRefreshJkt(row.dpopJkt ?? null, proofJkt))
    this.#events.emit(options, { type: 'refresh', at, tokenId: row.id, authUserId: row.authUserId, method: row.method, graceRetry })
    return success
  }

  async revokeToken(options: RevokeTokenOptions): Promise<void> {
    const id = revokedId(this.tokenIssuer, options)
    if (id === null) return
    await this.#context.store.deleteRefreshToken(id)
    this.#events.emit(options, { type: 'revocation', reason: options.reason ?? 'app', tokenIssuer: 'jwt', tokenId: id })
  }

  async revokeAllTokens(filter: RevokeAllTokensOptions): Promise<void> {
    const rows = rowFilter(this.tokenIssuer, filter)
    if (rows === null) return
    await this.#context.store.deleteRefreshTokens(rows)
    this.#events.emit(filter, { type: 'revocation', reason: filter.reason ?? 'app', tokenIssuer: 'jwt', filter: rows })
  }

  async listTokens(filter: TokenFilter): Promise<TokenInfo[]> {
    const selected = rowFilter(this.tokenIssuer, filter)
    if (selected === null) return []
    const rows = await this.#context.store.listRefreshTokens(selected)
    // An expired row is dead (refresh deletes it on sight); it only lingers until deleteExpiredTokens().
    return rows.filter((row) => this.#rotation.expiresAt(row) > this.#context.clock.at(row.readAt).getTime()).map((row) => ({
      authUserId: row.authUserId,
      tokenId: row.id,
      tokenIssuer: 'jwt',
      scopes: row.scopes,
      method: row.method,
      createdAt: row.createdAt,
      lastUsedAt: row.rotatedAt,
      expiresAt: new Date(this.#rotation.expiresAt(row)),
    }))
  }

  /**
   * Deletes the rows of refresh tokens that outlived `refreshTokenLifetime`, which otherwise stay until
   * someone presents them. Run it now and then, e.g. from a cron. Returns how many were deleted.
   *
   * @example
   * ```ts
   * await auth.getTokenManager(JwtTokenManager).deleteExpiredTokens()
   * ```
   */
  async deleteExpiredTokens(): Promise<number> {
    return this.#context.store.deleteExpiredRefreshTokens(this.#config.refreshTokenLifetime, this.#context.clock.stamp())
  }

  /** The public keys (primary and fallbacks) of ES512 algorithms, for `/.well-known/jwks.json`. */
  async publicJwks(): Promise<PublicJwk[]> {
    return (await this.#keys.promise).publicJwks
  }

  async #success(row: NewRow<RefreshTokenRow>, refreshToken: string, now: Date, dpopJkt: string | null): Promise<AuthSuccess> {
    const claims = accessTokenClaims({
      authUserId: row.authUserId, refreshTokenId: row.id, scopes: row.scopes, extraClaims: row.extraClaims,
      issuedAtMs: now.getTime(), lifetimeMs: this.#config.accessTokenLifetime, issuer: this.#config.issuer, dpopJkt,
    })
    const token = await signJws(claims, (await this.#keys.promise).signing)
    return {
      authStrategy: 'jwt',
      token,
      tokenExpiresAt: new Date((claims.exp as number) * 1000),
      refreshToken,
      refreshTokenExpiresAt: new Date(now.getTime() + this.#config.refreshTokenLifetime),
      authUserId: row.authUserId,
      scopeNames: row.scopes,
      tokenId: row.id,
      jwtRefreshTokenId: row.id,
      ...(dpopJkt && { dpopJkt }),
    }
  }
}

