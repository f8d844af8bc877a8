import { ConfigError } from '../crypto/errors.ts'
import { observed } from '../crypto/loading.ts'
import type { TokenManagerBuilder } from './builder.ts'
import { managerClock } from './clock.ts'
import { MultiTokenManager, type TokenManagerType } from './multi-token-manager.ts'
import type { TokenStore } from './storage.ts'
import type { AuthUsers, Clock, TokenManager } from './types.ts'
import { AuthEvents } from './event-delivery.ts'
import type { AuthEventHandler, AuthEventsStatus, ValidationFailureOptions } from './events.ts'
import { observedStore } from './observed-store.ts'

export interface AuthServicesOptions<TDb = unknown> {
  /** Where tokens live, e.g. `drizzleTokenStore(db)`. */
  store: TokenStore<TDb>
  /** The first builds the primary manager (it issues); the others validate and manage their tokens too. */
  tokenManagerBuilders: readonly TokenManagerBuilder[]
  /**
   * Consulted on issue and refresh: unknown or blocked users get no tokens; supplies default scopes.
   * Default: the store's own users, if it has them (`serverpodStore` reads Serverpod's user table).
   */
  authUsers?: AuthUsers
  /**
   * For tests: a clock you move instead of sleeping. It replaces the database's clock too, which otherwise
   * decides every rule on stored state (grace window, inactivity, expiry) the same for all isolates.
   */
  clock?: Clock
  /**
   * Receives every `AuthEvent` (sign-in, refresh, reuse detected, revocation, session expired, validation
   * failed, storage unavailable) after the operation answered. It can never change an auth outcome: a
   * throw, a rejection or a promise that never settles is reported once with `console.warn` and ignored.
   */
  onEvent?: AuthEventHandler
  /** Sampling and a per-minute cap for `validation-failed` events, so an attack is no event storm. */
  validationFailures?: ValidationFailureOptions
}

/** The configured managers; see {@link initializeAuthServices}. */
export interface AuthServices<TDb = unknown> {
  /** Issues with the primary manager, validates with all of them. */
  readonly tokenManager: MultiTokenManager
  readonly store: TokenStore<TDb>
  /**
   * Resolves when every key is imported and every primitive proven available; rejects with
   * `KeyImportError` / `UnsupportedAlgorithmError` otherwise. Operations wait for it themselves —
   * await it at start-up to fail fast.
   */
  readonly ready: Promise<void>
  /** Whether `onEvent` is set, and `settled()` to wait for pending deliveries. */
  readonly events: AuthEventsStatus
  /** @throws TokenManagerNotFoundError */
  getTokenManager<T extends TokenManager>(type: TokenManagerType<T>): T
}

/**
 * Builds the token managers. Synchronous: configuration errors throw here; key imports start at once
 * and are observable through `ready`.
 *
 * @example
 * ```ts
 * const auth = initializeAuthServices({
 *   store: drizzleTokenStore(db),
 *   tokenManagerBuilders: [
 *     new JwtConfigFromPasswords(env),
 *     new ServerSideSessionsConfigFromPasswords(env),
 *   ],
 * })
 * const info = await auth.tokenManager.validateToken(token)
 * ```
 */
export function initializeAuthServices<TDb>(options: AuthServicesOptions<TDb>): AuthServices<TDb> {
  const { store, tokenManagerBuilders } = options
  if (!store) throw new ConfigError('store is required, e.g. drizzleTokenStore(db).')
  if (!tokenManagerBuilders?.length) throw new ConfigError('tokenManagerBuilders needs at least one config.')
  const clock = managerClock(options.clock)
  const authUsers = options.authUsers ?? store.authUsers
  const events = new AuthEvents(options.onEvent, options.validationFailures ?? {}, clock)
  const reporting = observedStore(store, events)
  const [primary, ...additional] = tokenManagerBuilders.map((builder) => builder.build({ store: reporting, clock, authUsers, events }))
  const tokenManager = new MultiTokenManager(primary!, additional, events)
  const ready = observed(Promise.all([primary!, ...additional].map((m) => m.ready)).then(() => undefined))
  return {
    tokenManager,
    store,
    ready,
    events,
    getTokenManager: (type) => tokenManager.getTokenManager(type),
  }
}
