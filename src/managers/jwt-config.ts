import type { SecretHashAlgorithm } from '../crypto/secret-hash.ts'
import { ConfigError } from '../crypto/errors.ts'
import type { ManagerContext, TokenManagerBuilder } from './builder.ts'
import { toMilliseconds } from './duration.ts'
import { JwtAlgorithm } from './jwt-algorithm.ts'
import { JwtTokenManager, type ExtraClaimsProvider, type OnRefreshTokenCreated, type ResolvedJwtConfig } from './jwt-token-manager.ts'
import { type Passwords, requirePasswords } from './passwords.ts'
import { pepperOptions } from './peppers.ts'
import { verifiedTokenCacheSize } from './verified-tokens.ts'
import type { Duration } from './types.ts'
import { resolveDpopSetting, type DpopSetting } from './dpop/binding.ts'

/** `TContext`: the type of the `context` your `issueToken` calls pass, as the callbacks receive it. */
export interface JwtConfigOptions<TDb = any, TContext = unknown> {
  /** Signs new access tokens (and verifies them). */
  algorithm: JwtAlgorithm
  /** Pepper for refresh token secret hashes: at least 10 characters, 32 random bytes recommended. */
  refreshTokenHashPepper: string
  /**
   * Still verify access tokens signed with these (key rotation). Tried after the primary, by `kid` first.
   * `undefined` entries are skipped, so `[env.OLD_KEY && JwtAlgorithm.hmacSha512(env.OLD_KEY)]` works before a first rotation.
   */
  fallbackVerificationAlgorithms?: readonly (JwtAlgorithm | undefined | '' | null)[]
  /** Old peppers: hashes made with them still verify; new hashes use the primary. Unset (`undefined`, `''`) entries are skipped. */
  fallbackRefreshTokenHashPeppers?: readonly (string | undefined)[]
  /** Default 10 minutes. */
  accessTokenLifetime?: Duration
  /** Default 14 days, sliding from the last rotation. */
  refreshTokenLifetime?: Duration
  /** A refresh with the previous secret inside this window returns the same new token. 0 = strict. Default 10 s. */
  refreshTokenRotationGracePeriod?: Duration
  /** Default HMAC-SHA512; PBKDF2-SHA512 (≤ 100 000 iterations) costs CPU on every refresh. */
  refreshTokenHashAlgorithm?: SecretHashAlgorithm
  /** Sets and requires the `iss` claim. */
  issuer?: string
  /** Leeway for `exp`/`iat`/`nbf` against clock skew between servers. Default 5 s; 0 with `serverpodStore` (as Serverpod). */
  clockTolerance?: Duration
  /**
   * How many validated access tokens to remember per manager, so a token seen again skips its signature
   * check (an ES512 verify costs ~1.5 ms of CPU). Time claims are still checked on every hit. Default
   * 1024 entries (~0.9 KB each); 0 turns it off.
   */
  verifiedTokenCacheSize?: number
  extraClaimsProvider?: ExtraClaimsProvider<TContext>
  onRefreshTokenCreated?: OnRefreshTokenCreated<TDb, TContext>
  /**
   * DPoP (RFC 9449): sign-ins and refreshes with a valid proof are bound to its key (`cnf.jkt` in the access
   * token, the key's thumbprint beside the refresh token), and bound tokens work only with proofs of that key.
   * `'optional'` binds when a proof comes, `'required'` refuses requests without one. Proof rules (algorithms,
   * `iat` window, replay memory, server nonces) go in the object form: `{ binding: 'optional', nonce: { secret } }`.
   */
  dpop?: DpopSetting
}

/**
 * Configures a {@link JwtTokenManager}: pass it in `tokenManagerBuilders`.
 *
 * @example
 * ```ts
 * new JwtConfig({
 *   algorithm: JwtAlgorithm.hmacSha512(env.jwtHmacSha512PrivateKey),
 *   refreshTokenHashPepper: env.jwtRefreshTokenHashPepper,
 *   fallbackVerificationAlgorithms: [JwtAlgorithm.hmacSha512(env.oldJwtKey)],
 *   accessTokenLifetime: '10m',
 *   refreshTokenLifetime: '14d',
 *   extraClaimsProvider: ({ authUserId }) => ({ organizationId: 'org-123' }),
 * })
 * ```
 */
export class JwtConfig<TDb = any, TContext = unknown> implements TokenManagerBuilder<TDb> {
  // Private: it holds the pepper, and a logged or serialised config must not hand it out.
  // clockTolerance stays undefined until build: the store's formats supply its default.
  readonly #resolved: Omit<ResolvedJwtConfig, 'clockTolerance'> & { clockTolerance: number | undefined }

  constructor(options: JwtConfigOptions<TDb, TContext>) {
    if (!(options?.algorithm instanceof JwtAlgorithm)) {
      throw new ConfigError('algorithm must be a JwtAlgorithm (JwtAlgorithm.hmacSha512 or JwtAlgorithm.ecdsaSha512).')
    }
    const fallbacks = (options.fallbackVerificationAlgorithms ?? []).filter((a) => a !== undefined && a !== null && a !== '')
    if (!fallbacks.every((a) => a instanceof JwtAlgorithm)) {
      throw new ConfigError('fallbackVerificationAlgorithms must contain JwtAlgorithm values.')
    }
    if (options.issuer !== undefined && (typeof options.issuer !== 'string' || options.issuer === '')) {
      throw new ConfigError('issuer must be a non-empty string.')
    }
    this.#resolved = {
      algorithm: options.algorithm,
      verificationAlgorithms: [options.algorithm, ...fallbacks],
      hashing: pepperOptions({
        pepper: options.refreshTokenHashPepper,
        pepperOption: 'refreshTokenHashPepper',
        fallbackPeppers: options.fallbackRefreshTokenHashPeppers,
        fallbackOption: 'fallbackRefreshTokenHashPeppers',
        algorithm: options.refreshTokenHashAlgorithm,
      }),
      rotationPepper: options.refreshTokenHashPepper,
      accessTokenLifetime: toMilliseconds(options.accessTokenLifetime ?? '10m', 'accessTokenLifetime'),
      refreshTokenLifetime: toMilliseconds(options.refreshTokenLifetime ?? '14d', 'refreshTokenLifetime'),
      gracePeriod: toMilliseconds(options.refreshTokenRotationGracePeriod ?? '10s', 'refreshTokenRotationGracePeriod', { allowZero: true }),
      clockTolerance: options.clockTolerance === undefined ? undefined : toMilliseconds(options.clockTolerance, 'clockTolerance', { allowZero: true }),
      verifiedTokenCacheSize: verifiedTokenCacheSize(options.verifiedTokenCacheSize),
      issuer: options.issuer,
      extraClaimsProvider: options.extraClaimsProvider,
      onRefreshTokenCreated: options.onRefreshTokenCreated,
      dpop: resolveDpopSetting(options.dpop),
    }
  }

  build(context: ManagerContext<TDb>): JwtTokenManager {
    const clockTolerance = this.#resolved.clockTolerance ?? context.store.formats?.clockTolerance ?? 5_000
    return new JwtTokenManager({ ...this.#resolved, clockTolerance }, context)
  }
}

/**
 * A {@link JwtConfig} reading its secrets from a record: `jwtHmacSha512PrivateKey` and
 * `jwtRefreshTokenHashPepper` (or the same names prefixed `SERVERPOD_PASSWORD_`). HS512 only, as in Serverpod.
 *
 * @example
 * ```ts
 * new JwtConfigFromPasswords(env, { accessTokenLifetime: '5m' })   // Workers
 * new JwtConfigFromPasswords(process.env)                          // Node, Bun
 * ```
 */
export class JwtConfigFromPasswords<TDb = any, TContext = unknown> extends JwtConfig<TDb, TContext> {
  constructor(passwords: Passwords, options: Omit<JwtConfigOptions<TDb, TContext>, 'algorithm' | 'refreshTokenHashPepper'> = {}) {
    const found = requirePasswords(passwords, ['jwtHmacSha512PrivateKey', 'jwtRefreshTokenHashPepper'])
    super({
      ...options,
      algorithm: JwtAlgorithm.hmacSha512(found.jwtHmacSha512PrivateKey),
      refreshTokenHashPepper: found.jwtRefreshTokenHashPepper,
    })
  }
}
