import { randomBytes } from '../crypto/bytes.ts'
import { observed } from '../crypto/loading.ts'
import { admitUser, scopeList, type ManagerContext } from './builder.ts'
import { ConfigError } from '../crypto/errors.ts'
import { maxDurationMs, toMilliseconds } from './duration.ts'
import { normalizeTokenId } from './ids.ts'
import { revokedId, rowFilter } from './token-filter.ts'
import type { SecretHashVerdict } from '../crypto/secret-hash.ts'
import { defaultFormats, type HasherOptions, type SecretHashing, type SessionTokenFormat } from './formats.ts'
import type { NewRow, SessionRow } from './storage.ts'
import { VerifiedSecrets } from './verified-secrets.ts'
import { DpopBinder, type resolveDpopSetting } from './dpop/binding.ts'
import type { DpopVerifier } from './dpop/verifier.ts'
import { noEvents, recognizesToken, type AuthEvents, type RecognizesTokens } from './event-delivery.ts'
import type { ValidationFailureReason } from './events.ts'
import { SessionExpiry, touchIntervalDivisor } from './session-expiry.ts'
import { sessionsMatching, ValidatedSessions, type CachedSession, type ResolvedValidationCache } from './validated-sessions.ts'
import type {
  AuthSuccess, AuthenticationInfo, Duration, IssueContext, IssueTokenOptions, RevokeAllTokensOptions, RevokeTokenOptions, TokenFilter, TokenInfo,
  TokenManager, ValidateTokenOptions,
} from './types.ts'

/** Called before a session row is inserted; returns Drizzle queries that commit atomically with it. */
export type OnSessionCreated<TDb = any, TContext = IssueContext> = (input: {
  authUserId: string
  sessionId: string
  db: TDb
  context: TContext
}) => readonly unknown[] | void | Promise<readonly unknown[] | void>

/** Options of a sessions config once validated, with durations in milliseconds. */
export interface ResolvedSessionsConfig {
  /** Validated peppers and hash options; the store's formats turn them into a hasher. */
  hashing: HasherOptions
  lifetime: number | null
  inactivityTimeout: number | null
  secretLength: number
  lastUsedAtUpdateInterval: number
  onSessionCreated: OnSessionCreated<any, any> | undefined
  /** null: every validation asks the database (the default). */
  validationCache: ResolvedValidationCache | null
  /** DPoP binding; `null` when off. */
  dpop: ReturnType<typeof resolveDpopSetting>
}

/** Per-session overrides of the configured defaults; `null` switches the limit off. */
export interface IssueSessionOptions extends IssueTokenOptions {
  expiresAt?: Date | null
  expireAfterUnusedFor?: Duration | null
}

/**
 * Opaque session tokens checked against the database on every request: one indexed lookup, so revocation
 * and scope changes take effect on the very next request. With `validationCache` a session validated in the
 * last `maxAge` is answered from memory: other isolates' changes then show within `maxAge`.
 *
 * @example
 * ```ts
 * const sessions = auth.getTokenManager(ServerSideSessionsTokenManager)
 * await sessions.updateScopes({ tokenId: info.authId, scopes: ['admin'] })
 * ```
 */
export class ServerSideSessionsTokenManager implements TokenManager, RecognizesTokens {
  readonly tokenIssuer = 'session' as const
  readonly ready: Promise<void>
  readonly #config: ResolvedSessionsConfig
  readonly #context: ManagerContext
  readonly #format: SessionTokenFormat
  readonly #hasher: SecretHashing
  readonly #cache: ValidatedSessions | null
  readonly #verified = new VerifiedSecrets()
  readonly #dpop: DpopBinder
  readonly #events: AuthEvents
  readonly #expiry: SessionExpiry

  constructor(config: ResolvedSessionsConfig, context: ManagerContext) {
    this.#config = config
    this.#context = context
    this.#events = context.events ?? noEvents
    this.#expiry = new SessionExpiry(config.lastUsedAtUpdateInterval)
    this.#cache = config.validationCache && new ValidatedSessions(config.validationCache)
    this.#format = (context.store.formats ?? defaultFormats).session
    this.#hasher = this.#format.hasher(config.hashing)
    // Serverpod's tables have no column for the key.
    if (config.dpop && context.store.formats) throw new ConfigError('dpop needs the library\'s own tables (not serverpodStore).')
    this.#dpop = new DpopBinder(config.dpop, () => context.clock.now().getTime())
    this.ready = observed(this.#hasher.ready())
  }

  async issueToken(options: IssueSessionOptions): Promise<AuthSuccess> {
    const { authUserId, method } = options
    const scopes = await admitUser(this.#context.authUsers, options)
    const now = this.#context.clock.now()
    const lifetime = this.#config.lifetime
    const expiresAt = options.expiresAt !== undefined ? options.expiresAt : lifetime === null ? null : new Date(now.getTime() + lifetime)
    if (expiresAt !== null && !(expiresAt instanceof Date && Math.abs(expiresAt.getTime() - now.getTime()) <= maxDurationMs)) {
      throw new ConfigError('expiresAt must be a valid Date within 3650 days of now, or null.')
    }
    const unused = options.expireAfterUnusedFor
    const expireAfterUnusedFor = unused === undefined ? this.#config.inactivityTimeout : unused === null ? null : toMilliseconds(unused, 'expireAfterUnusedFor')

    const dpopJkt = await this.#dpop.proofJkt(options.dpop)
    const id = crypto.randomUUID()
    const secret = randomBytes(this.#config.secretLength)
    const row: NewRow<SessionRow> = {
      id, authUserId, method, scopes, secretHash: await this.#hasher.hash(secret),
      createdAt: this.#context.clock.stamp(), expiresAt, expireAfterUnusedFor, dpopJkt,
    }
    const writes = await this.#config.onSessionCreated?.({ authUserId, sessionId: id, db: this.#context.store.db, context: options.context })
    await this.#context.store.insertSession(row, { writes: writes ?? [], transaction: options.transaction })
    this.#events.emit(options, { type: 'sign-in', tokenIssuer: 'session', tokenId: id, authUserId, method, scopes: [...scopes] })
    return {
      authStrategy: 'session',
      token: this.#format.encode(id, secret),
      tokenExpiresAt: expiresAt,
      refreshToken: null,
      authUserId,
      scopeNames: scopes,
      tokenId: id,
      ...(dpopJkt && { dpopJkt }),
    }
  }

  /** The verifier of this manager's DPoP proofs (`dpop` in its config), or `null` when DPoP is off. */
  get dpopVerifier(): DpopVerifier | null {
    return this.#dpop.verifier
  }

  /** Throws only `StorageUnavailableError` (the database failed); any bad token gives null. */
  async validateToken(token: string, options: ValidateTokenOptions = {}): Promise<AuthenticationInfo | null> {
    const parts = this.#format.decode(token)
    if (!parts) return null
    const nowMs = this.#context.clock.now().getTime()
    const cached = this.#cache?.hit(parts.id, parts.secret, nowMs)
    if (cached) {
      const now = new Date(nowMs + cached.databaseOffsetMs)
      if (!this.#expiry.expired(cached.session, now)) {
        // The binding is checked against each request's proof, like the rest on every hit.
        if (!this.#dpop.admits(cached.info, options.dpop)) return null
        await this.#touchIfDue(cached.session, now, options)
        // A hot session is read again before its entry runs out, so its requests never wait for the database.
        if (this.#cache!.claimRevalidation(cached, nowMs)) void this.#inBackground(options, this.#read(parts, options, 'background'))
        return cached.info
      }
    }
    return this.#read(parts, options, 'request')
  }

  /**
   * Reads and checks the session, and refills the cache. In the background (a revalidation ahead of a hit's
   * expiry) nothing is reported: a session found dead only leaves the cache, and the next request tells why.
   */
  async #read(parts: { id: string; secret: Uint8Array }, options: ValidateTokenOptions, mode: 'request' | 'background'): Promise<AuthenticationInfo | null> {
    const { store, clock } = this.#context
    const generation = this.#cache?.generation ?? 0
    // An entry's age counts from before the read: what it holds may be as old as that.
    const askedAtMs = clock.now().getTime()
    const row = await store.findSession(parts.id)
    if (!row) return this.#refused(mode, options, parts.id, 'revoked')
    const verdict = await this.#verify(row.id, parts.secret, row.secretHash)
    if (!verdict) return this.#refused(mode, options, parts.id, 'bad-secret')
    // The database's time at the read, shared by every isolate (unless a test injected a clock).
    const now = clock.at(row.readAt)
    if (this.#expiry.expired(row, now)) {
      if (mode === 'request') {
        await this.#afterResponse(options, store.deleteSession(row.id))
        const reason = row.expiresAt !== null && row.expiresAt <= now ? 'lifetime' : 'inactivity'
        this.#events.emit(options, { type: 'session-expired', at: now, tokenId: row.id, authUserId: row.authUserId, method: row.method, reason })
      }
      return this.#refused(mode, options, parts.id, 'expired')
    }
    const info: AuthenticationInfo = {
      userIdentifier: row.authUserId, scopes: row.scopes, authId: row.id, tokenIssuer: 'session', ...(row.dpopJkt && { dpopJkt: row.dpopJkt }),
    }
    if (mode === 'request' && !this.#dpop.admits(info, options.dpop)) return null
    if (verdict === 'outdated') {
      await this.#afterResponse(options, this.#hasher.hash(parts.secret).then((secretHash) => store.updateSession(row.id, { secretHash })))
    }
    await this.#touchIfDue(row, now, options)
    const { secretHash: _, readAt: __, ...session } = row
    this.#cache?.fill(generation, row.id, parts.secret, { session, info: { ...info, scopes: [...info.scopes] }, readAtMs: askedAtMs, databaseOffsetMs: now.getTime() - askedAtMs })
    return info
  }

  #refused(mode: 'request' | 'background', options: ValidateTokenOptions, id: string, reason: ValidationFailureReason): null {
    if (mode === 'background') this.#cache?.drop(id)
    else this.#events.validationFailed(options, 'session', reason)
    return null
  }

  /** Whether `token` is a session token of this store's format (see `MultiTokenManager`'s failure reports). */
  [recognizesToken](token: string): boolean {
    return this.#format.decode(token) !== null
  }

  /** The hasher's verdict, skipping the HMAC when this secret already matched this very stored hash. */
  async #verify(id: string, secret: Uint8Array, stored: Uint8Array): Promise<SecretHashVerdict> {
    if (this.#verified.matches(id, secret, stored)) return 'current'
    const verdict = await this.#hasher.verify(secret, stored)
    if (verdict === 'current') this.#verified.remember(id, secret, stored)
    return verdict
  }

  /** Writes lastUsedAt when the throttle says it is due, and remembers it so cache hits do not repeat it. */
  async #touchIfDue(session: CachedSession, now: Date, options: ValidateTokenOptions): Promise<void> {
    const touchBefore = new Date(now.getTime() - this.#expiry.touchInterval(session))
    if (session.lastUsedAt >= touchBefore) return
    this.#cache?.touched(session.id, now)
    await this.#afterResponse(options, this.#context.store.touchSession(session.id, now, touchBefore))
  }

  /** Replaces a session's scopes; the next `validateToken` sees them. Unknown ids are ignored. */
  async updateScopes({ tokenId, scopes }: { tokenId: string; scopes: Iterable<string> }): Promise<void> {
    const checked = scopeList(scopes)
    const id = normalizeTokenId(tokenId)
    if (id === null) return
    await this.#changing((session) => session.id === id, () => this.#context.store.updateSession(id, { scopes: checked }))
  }

  async revokeToken(options: RevokeTokenOptions): Promise<void> {
    const id = revokedId(this.tokenIssuer, options)
    if (id === null) return
    await this.#changing((session) => session.id === id, () => this.#context.store.deleteSession(id))
    this.#events.emit(options, { type: 'revocation', reason: options.reason ?? 'app', tokenIssuer: 'session', tokenId: id })
  }

  async revokeAllTokens(filter: RevokeAllTokensOptions): Promise<void> {
    const rows = rowFilter(this.tokenIssuer, filter)
    if (rows === null) return
    await this.#changing(sessionsMatching(rows), () => this.#context.store.deleteSessions(rows))
    this.#events.emit(filter, { type: 'revocation', reason: filter.reason ?? 'app', tokenIssuer: 'session', filter: rows })
  }

  async listTokens(filter: TokenFilter): Promise<TokenInfo[]> {
    const selected = rowFilter(this.tokenIssuer, filter)
    if (selected === null) return []
    const rows = await this.#context.store.listSessions(selected)
    // An expired session is dead (validation deletes it on sight); it only lingers until deleteExpiredTokens().
    return rows.filter((row) => !this.#expiry.expired(row, this.#context.clock.at(row.readAt))).map((row) => {
      const expiresAt = this.#expiry.expiresAt(row)
      return {
        authUserId: row.authUserId,
        tokenId: row.id,
        tokenIssuer: 'session',
        scopes: row.scopes,
        method: row.method,
        createdAt: row.createdAt,
        lastUsedAt: row.lastUsedAt,
        ...(expiresAt && { expiresAt }),
      }
    })
  }

  /**
   * Deletes sessions past their lifetime or their inactivity timeout, which otherwise stay until someone
   * presents them. Run it now and then, e.g. from a cron. Returns how many were deleted.
   *
   * @example
   * ```ts
   * await auth.getTokenManager(ServerSideSessionsTokenManager).deleteExpiredTokens()
   * ```
   */
  async deleteExpiredTokens(): Promise<number> {
    return this.#context.store.deleteExpiredSessions(this.#context.clock.stamp(), {
      maxTouchIntervalMs: this.#config.lastUsedAtUpdateInterval,
      touchIntervalDivisor,
    })
  }

  /** A write to sessions this isolate may hold in its cache: they are not served from it meanwhile. */
  async #changing(affected: (session: CachedSession) => boolean, write: () => Promise<unknown>): Promise<void> {
    await (this.#cache ? this.#cache.change(affected, write) : write())
  }

  /** Work the answer never waits for: kept alive by `waitUntil` where the runtime has one. Never rejects. */
  #inBackground(options: ValidateTokenOptions, work: Promise<unknown>): Promise<void> {
    const settled = work.then(() => {}, () => {})
    options.waitUntil?.(settled)
    return settled
  }

  // Bookkeeping must never turn a valid answer into an error, nor delay it where the runtime can wait.
  async #afterResponse(options: ValidateTokenOptions, work: Promise<unknown>): Promise<void> {
    const settled = this.#inBackground(options, work)
    if (!options.waitUntil) await settled
  }
}
