// The typed events `initializeAuthServices({ onEvent })` delivers. Every field is safe to log: no token,
// secret, hash, pepper or key is ever put in one (ids are public: they travel inside access tokens).
import type { IssueContext, RevocationReason, TokenIssuer } from './types.ts'

/** Which clock `at` was read from: the database's (stored-state rules) or the app server's. */
export type EventClock = 'database' | 'server'

/** Fields every event has. */
export interface AuthEventBase {
  /** When it happened: the database's time where a row was read, else the app server's (see `clock`). */
  at: Date
  clock: EventClock
  /**
   * The request the operation came with, as the app passed it (`context` of issueToken / validateToken /
   * refreshAccessToken / revoke…). The Hono middleware and routes pass `{ ipAddress, userAgent }`.
   */
  context: IssueContext
}

/** A token was issued (a sign-in). */
export interface SignInEvent extends AuthEventBase {
  type: 'sign-in'
  tokenIssuer: TokenIssuer
  /** The refresh token id (JWT) or session id: what `listTokens` reports. */
  tokenId: string
  authUserId: string
  method: string
  scopes: string[]
}

/** A refresh token was traded for a new pair. */
export interface RefreshEvent extends AuthEventBase {
  type: 'refresh'
  /** The token family: the refresh token id, the same across rotations. */
  tokenId: string
  authUserId: string
  method: string
  /** True when the previous secret came back inside the grace window and got the winner's pair again. */
  graceRetry: boolean
}

/**
 * A refresh token came back after it had been rotated away, outside the grace window: a stolen copy or a
 * very late retry. The family is revoked (a `revocation` with reason `reuse` follows). Reported once per
 * family even when copies race on several servers: only the caller whose delete removed the row reports.
 */
export interface ReuseDetectedEvent extends AuthEventBase {
  type: 'reuse-detected'
  tokenId: string
  authUserId: string
  method: string
  /** Milliseconds (database clock) from the family's last rotation to the replay; null if unknown. */
  sinceRotationMs: number | null
}

/**
 * Tokens were revoked. One event per manager a call reached (`tokenIssuer` says which): `tokenId` for a
 * single token, `filter` for revoke-all.
 */
export interface RevocationEvent extends AuthEventBase {
  type: 'revocation'
  reason: RevocationReason
  tokenIssuer: TokenIssuer
  tokenId?: string
  filter?: { authUserId: string | null; method?: string }
}

/** A session was presented after its lifetime or inactivity timeout, and deleted. */
export interface SessionExpiredEvent extends AuthEventBase {
  type: 'session-expired'
  tokenId: string
  authUserId: string
  method: string
  reason: 'lifetime' | 'inactivity'
}

/**
 * Why a token did not validate:
 * - `malformed`: not a token of any configured manager, or one whose parts or claims are unusable
 * - `bad-signature` (JWT) / `bad-secret` (session): the right shape, but not ours
 * - `unknown-key`: a JWT for an algorithm or `kid` no configured key has
 * - `expired`, `not-yet-valid`: outside its validity (sessions: see `session-expired`)
 * - `wrong-issuer`: `iss` is not the configured issuer
 * - `revoked`: no session with this id (revoked, swept, or never issued)
 */
export type ValidationFailureReason =
  | 'malformed' | 'bad-signature' | 'bad-secret' | 'unknown-key' | 'expired' | 'not-yet-valid' | 'wrong-issuer' | 'revoked'

/** `validateToken` answered null. Sampled and rate-limited: see `validationFailures`. Never holds the token. */
export interface ValidationFailedEvent extends AuthEventBase {
  type: 'validation-failed'
  reason: ValidationFailureReason
  /** The manager whose format the token had; null when none recognised it. */
  tokenIssuer: TokenIssuer | null
  /** Failures not reported (sampled out or over the rate limit) since the previous validation-failed event. */
  skipped: number
}

/** A store operation failed with `StorageUnavailableError` (unreachable, too slow, a transient SQLSTATE). */
export interface StorageUnavailableEvent extends AuthEventBase {
  type: 'storage-unavailable'
  /** The store method, e.g. `findSession`. */
  operation: string
  /** The database's code when it gave one: a SQLSTATE (`57P01`) or a driver code (`ECONNREFUSED`, `SQLITE_BUSY`). */
  driverCode: string | null
}

/**
 * Everything `onEvent` receives, discriminated by `type`.
 *
 * @example
 * ```ts
 * initializeAuthServices({ store, tokenManagerBuilders, onEvent: (event) => {
 *   if (event.type === 'reuse-detected') alertSecurity(event.authUserId, event.sinceRotationMs)
 * } })
 * ```
 */
export type AuthEvent =
  | SignInEvent | RefreshEvent | ReuseDetectedEvent | RevocationEvent | SessionExpiredEvent | ValidationFailedEvent
  | StorageUnavailableEvent

/**
 * Receives each event after the operation answered (through `waitUntil` where given, else on a later
 * task). What it returns is awaited only to report a failure: it can never change an auth outcome.
 *
 * @example
 * ```ts
 * const onEvent: AuthEventHandler = (event) => console.log(JSON.stringify(event))
 * ```
 */
export type AuthEventHandler = (event: AuthEvent) => void | Promise<unknown>

/**
 * `initializeAuthServices({ validationFailures })`: how many `validation-failed` events an attack may cause.
 *
 * @example
 * ```ts
 * initializeAuthServices({ store, tokenManagerBuilders, onEvent, validationFailures: { sample: 0.1, perMinute: 30 } })
 * ```
 */
export interface ValidationFailureOptions {
  /** The share of failures reported, 0 to 1. Default 1 (each, up to `perMinute`); 0 = none. */
  sample?: number
  /** At most this many events per minute (the rest counted in the next event's `skipped`). Default 60. */
  perMinute?: number
}


/** `auth.events`: whether a handler is configured, and a way to wait for deliveries (tests, shutdown). */
export interface AuthEventsStatus {
  readonly enabled: boolean
  /**
   * Resolves when every event emitted so far has been delivered (or its handler failed or timed out).
   *
   * @example
   * ```ts
   * process.on('SIGTERM', async () => { await auth.events.settled(); process.exit(0) })
   * ```
   */
  settled(): Promise<void>
}
