import type { SecretHashAlgorithm } from '../crypto/secret-hash.ts'
import { ConfigError } from '../crypto/errors.ts'
import type { ManagerContext, TokenManagerBuilder } from './builder.ts'
import { toMilliseconds } from './duration.ts'
import { type Passwords, requirePasswords } from './passwords.ts'
import { pepperOptions } from './peppers.ts'
import { ServerSideSessionsTokenManager, type OnSessionCreated, type ResolvedSessionsConfig } from './session-token-manager.ts'
import type { Duration } from './types.ts'
import { resolveDpopSetting, type DpopSetting } from './dpop/binding.ts'
import { validationCacheOptions, type ValidationCacheOptions } from './validated-sessions.ts'

export interface ServerSideSessionsConfigOptions<TDb = any, TContext = unknown> {
  /** Pepper for session key hashes: at least 10 characters, 32 random bytes recommended. */
  sessionKeyHashPepper: string
  /** Old peppers: still verify; a session matched by one is re-hashed with the primary. */
  fallbackSessionKeyHashPeppers?: readonly (string | undefined)[]
  /** Default: sessions never expire. Overridable per issue with `expiresAt`. */
  defaultSessionLifetime?: Duration
  /** Default: no inactivity timeout. Overridable per issue with `expireAfterUnusedFor`. */
  defaultSessionInactivityTimeout?: Duration
  /** Random bytes in a session key; default 32, at least 16. */
  sessionKeySecretLength?: number
  /** Salt bytes per hash; default 16. */
  sessionKeyHashSaltLength?: number
  /** Default HMAC-SHA512. PBKDF2-SHA512 puts its cost on every validation: rarely worth it for random keys. */
  sessionKeyHashAlgorithm?: SecretHashAlgorithm
  /** `lastUsedAt` is written at most this often per session. Default 1 minute. */
  lastUsedAtUpdateInterval?: Duration
  onSessionCreated?: OnSessionCreated<TDb, TContext>
  /**
   * Off by default: every validation asks the database, so a revocation holds on the very next request.
   * Set, a session validated in the last `maxAge` (default 1 s) is answered from this isolate's memory with
   * no round trip: a revoke or scope change made on another isolate is then seen within `maxAge`; one made
   * through this manager at once. Lifetime and inactivity are still checked exactly on every hit.
   */
  validationCache?: ValidationCacheOptions
  /** DPoP (RFC 9449) binding of sessions, as `JwtConfig({ dpop })`: a bound session validates only with a proof of its key. */
  dpop?: DpopSetting
}

/**
 * Configures a {@link ServerSideSessionsTokenManager}: opaque session keys, revocable at once.
 *
 * @example
 * ```ts
 * new ServerSideSessionsConfig({
 *   sessionKeyHashPepper: env.serverSideSessionKeyHashPepper,
 *   fallbackSessionKeyHashPeppers: [env.oldSessionKeyHashPepper],
 *   defaultSessionLifetime: '30d',
 *   defaultSessionInactivityTimeout: '7d',
 *   validationCache: { maxAge: '1s' }, // optional: other isolates see a revocation within 1 s
 * })
 * ```
 */
export class ServerSideSessionsConfig<TDb = any, TContext = unknown> implements TokenManagerBuilder<TDb> {
  readonly #resolved: ResolvedSessionsConfig

  constructor(options: ServerSideSessionsConfigOptions<TDb, TContext>) {
    const secretLength = options?.sessionKeySecretLength ?? 32
    if (!Number.isInteger(secretLength) || secretLength < 16 || secretLength > 256) {
      throw new ConfigError('sessionKeySecretLength must be an integer from 16 to 256.')
    }
    const saltLength = options.sessionKeyHashSaltLength ?? 16
    if (!Number.isInteger(saltLength) || saltLength < 8 || saltLength > 64) {
      throw new ConfigError('sessionKeyHashSaltLength must be an integer from 8 to 64.')
    }
    const optional = (value: Duration | undefined, name: string) => (value === undefined ? null : toMilliseconds(value, name))
    this.#resolved = {
      hashing: pepperOptions({
        pepper: options.sessionKeyHashPepper,
        pepperOption: 'sessionKeyHashPepper',
        fallbackPeppers: options.fallbackSessionKeyHashPeppers,
        fallbackOption: 'fallbackSessionKeyHashPeppers',
        algorithm: options.sessionKeyHashAlgorithm,
        saltLength,
      }),
      lifetime: optional(options.defaultSessionLifetime, 'defaultSessionLifetime'),
      inactivityTimeout: optional(options.defaultSessionInactivityTimeout, 'defaultSessionInactivityTimeout'),
      secretLength,
      lastUsedAtUpdateInterval: toMilliseconds(options.lastUsedAtUpdateInterval ?? '1m', 'lastUsedAtUpdateInterval', { allowZero: true }),
      onSessionCreated: options.onSessionCreated,
      validationCache: validationCacheOptions(options.validationCache),
      dpop: resolveDpopSetting(options.dpop),
    }
  }

  build(context: ManagerContext<TDb>): ServerSideSessionsTokenManager {
    return new ServerSideSessionsTokenManager(this.#resolved, context)
  }
}

/**
 * A {@link ServerSideSessionsConfig} reading `serverSideSessionKeyHashPepper` (or
 * `SERVERPOD_PASSWORD_serverSideSessionKeyHashPepper`) from a record such as Workers `env`.
 *
 * @example
 * ```ts
 * new ServerSideSessionsConfigFromPasswords(env, { defaultSessionLifetime: '30d' })
 * ```
 */
export class ServerSideSessionsConfigFromPasswords<TDb = any, TContext = unknown> extends ServerSideSessionsConfig<TDb, TContext> {
  constructor(passwords: Passwords, options: Omit<ServerSideSessionsConfigOptions<TDb, TContext>, 'sessionKeyHashPepper'> = {}) {
    super({ ...options, sessionKeyHashPepper: requirePasswords(passwords, ['serverSideSessionKeyHashPepper']).serverSideSessionKeyHashPepper })
  }
}
