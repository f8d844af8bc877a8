import { ConfigError } from '../crypto/errors.ts'
import type { JwsKey } from '../crypto/jws-verifier.ts'
import { checkCryptoKey, checkHmacSecret, importHmacSha512Key } from '../crypto/keys.ts'
import { observed } from '../crypto/loading.ts'
import { accessTokenValidator, type AccessTokenValidator } from '../managers/access-token-validator.ts'
import { maxDurationMs } from '../managers/duration.ts'
import type { AuthenticationInfo } from '../managers/types.ts'
import type { WebCryptoKey } from '../crypto/web-types.ts'

/**
 * A key that verifies access tokens. HS512: the shared secret, as a string (its UTF-8 bytes, at least 32),
 * bytes, or an HMAC SHA-512 `CryptoKey`. ES512: the public key as an ECDSA P-521 `CryptoKey` (from a JWK:
 * `crypto.subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-521' }, false, ['verify'])`).
 */
export type VerificationKey = string | Uint8Array | WebCryptoKey

export interface AccessTokenVerifierOptions {
  /** The key the tokens are signed with. Give `key` or `keys`. */
  key?: VerificationKey
  /** Several keys during a rotation, newest first; each token is checked against at most 8 of its algorithm. */
  keys?: readonly VerificationKey[]
  /** Require this `iss` claim (set it when the issuing `JwtConfig` has `issuer`). */
  issuer?: string
  /** Leeway for `exp`/`iat`/`nbf` against clock skew, in milliseconds (a number only: no parser in this bundle). Default 5000. */
  clockTolerance?: number
}

/** Validates an access token: who sent it, or `null` for anything invalid, expired or foreign. */
export interface AccessTokenVerifier {
  (token: string): Promise<AuthenticationInfo | null>
  /** Resolves once the keys are imported; rejects with `KeyImportError`/`UnsupportedAlgorithmError` if one cannot be. */
  readonly ready: Promise<void>
}

/** The key bound to its algorithm, read from its form: an ECDSA `CryptoKey` is ES512, anything else HS512. */
function importKey(key: VerificationKey): Promise<JwsKey> {
  if ((key as WebCryptoKey)?.algorithm?.name === 'ECDSA') return Promise.resolve({ alg: 'ES512', key: checkCryptoKey(key as WebCryptoKey, 'public', 'public') })
  checkHmacSecret(key, 'createAccessTokenVerifier')
  return importHmacSha512Key(key).then((imported) => ({ alg: 'HS512', key: imported }))
}

/**
 * A validate-only check for the access tokens a `JwtTokenManager` issues, for Workers that never issue,
 * refresh or store anything: it bundles to about 3 KB gzip. It is the manager's own validator, with every
 * rule: strict base64url and header, keys bound to their algorithm, no duplicate JSON keys or `__proto__`,
 * the size cap, `exp`/`iat`/`nbf`/`iss` and the library's claims. An invalid token gives `null`, never a
 * throw. A configuration error throws a typed `ConfigError` (`code: 'ERR_CONFIG'`) at once; a key that
 * cannot be used throws `KeyImportError` at once or, for a secret Web Crypto refuses, rejects `ready` and
 * every call.
 *
 * @example
 * ```ts
 * import { createAccessTokenVerifier } from 'edge-token-managers/jwt'
 *
 * const verify = createAccessTokenVerifier({ key: env.jwtHmacSha512PrivateKey })
 * const auth = await verify(request.headers.get('authorization')?.slice('Bearer '.length) ?? '')
 * if (!auth) return new Response('unauthorized', { status: 401 })
 * ```
 */
export function createAccessTokenVerifier(options: AccessTokenVerifierOptions): AccessTokenVerifier {
  const { key, keys: list, issuer } = options ?? {}
  const keys = key === undefined ? list : list === undefined ? [key] : undefined
  if (!keys?.length) throw new ConfigError('createAccessTokenVerifier needs `key` or `keys` (not both).')
  if (issuer !== undefined && (typeof issuer !== 'string' || issuer === '')) throw new ConfigError('issuer must be a non-empty string.')
  const clockToleranceMs = options.clockTolerance ?? 5_000
  if (!(clockToleranceMs >= 0 && clockToleranceMs <= maxDurationMs)) throw new ConfigError('clockTolerance must be milliseconds, from 0 to 10 years.')
  const validator = Promise.all(keys.map(importKey)).then((jwsKeys) => accessTokenValidator(jwsKeys, { issuer, clockToleranceMs, now: Date.now }))
  // Read without an await once the keys are in: one promise per token, as in the manager.
  let validate: AccessTokenValidator | undefined
  validator.then((loaded) => (validate = loaded), () => {})
  const verify = (token: string) => (validate ? validate(token) : validator.then((loaded) => loaded(token)))
  return Object.assign(verify, { ready: observed(validator.then(() => undefined)) })
}
