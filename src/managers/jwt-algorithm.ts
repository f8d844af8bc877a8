import type { WebCryptoKey, Jwk } from '../crypto/web-types.ts'
import type { JwsKey } from '../crypto/jws.ts'
import { ConfigError } from '../crypto/errors.ts'
import { observed } from '../crypto/loading.ts'
import {
  checkHmacSecret,
  exportPublicJwk,
  importEs512PrivateKey,
  importEs512PublicKey,
  importHmacSha512Key,
  jwkThumbprint,
} from '../crypto/keys.ts'

/** An ES512 public key as served at `/.well-known/jwks.json`. */
export interface PublicJwk extends Jwk {
  kid: string
  alg: 'ES512'
  use: 'sig'
}

interface ImportedKeys {
  signing: JwsKey | null
  verification: JwsKey
  publicJwk: PublicJwk | null
}

/**
 * A JWT signing algorithm bound to its key. Keys are imported once, eagerly, so an unusable key or a
 * runtime without P-521 fails at configuration time (`auth.ready`), not on the first request.
 *
 * @example
 * ```ts
 * JwtAlgorithm.hmacSha512(env.jwtHmacSha512PrivateKey)
 * JwtAlgorithm.ecdsaSha512({ privateKey: pkcs8Pem, publicKey: spkiPem })
 * JwtAlgorithm.ecdsaSha512({ publicKey: oldPublicJwk }) // verification only, e.g. a fallback
 * ```
 */
export class JwtAlgorithm {
  readonly name: 'HS512' | 'ES512'
  readonly #keys: Promise<ImportedKeys>

  private constructor(name: 'HS512' | 'ES512', keys: Promise<ImportedKeys>) {
    this.name = name
    // Callers observe failures through `keys()`/`auth.ready`.
    this.#keys = observed(keys)
  }

  /** HMAC with SHA-512. A string secret is its UTF-8 bytes; use at least 64 random bytes. */
  static hmacSha512(secret: string | Uint8Array | WebCryptoKey): JwtAlgorithm {
    checkHmacSecret(secret, 'JwtAlgorithm.hmacSha512')
    const keys = importHmacSha512Key(secret).then((key): ImportedKeys => {
      const jwsKey: JwsKey = { alg: 'HS512', key }
      return { signing: jwsKey, verification: jwsKey, publicJwk: null }
    })
    return new JwtAlgorithm('HS512', keys)
  }

  /**
   * ECDSA P-521 with SHA-512. Keys as CryptoKey, JWK or PEM (PKCS#8 private, SPKI public). Without a
   * private key the algorithm can only verify (useful in `fallbackVerificationAlgorithms`).
   */
  static ecdsaSha512(keys: {
    privateKey?: WebCryptoKey | Jwk | string
    publicKey: WebCryptoKey | Jwk | string
  }): JwtAlgorithm {
    if (keys?.publicKey == null) throw new ConfigError('JwtAlgorithm.ecdsaSha512 needs a publicKey.')
    const imported = (async (): Promise<ImportedKeys> => {
      const [privateKey, publicKey] = await Promise.all([
        keys.privateKey == null ? null : importEs512PrivateKey(keys.privateKey),
        importEs512PublicKey(keys.publicKey),
      ])
      const jwk = await exportPublicJwk(publicKey)
      const kid = await jwkThumbprint(jwk)
      return {
        signing: privateKey && { alg: 'ES512', key: privateKey, kid },
        verification: { alg: 'ES512', key: publicKey, kid },
        publicJwk: { ...jwk, kid, alg: 'ES512', use: 'sig' },
      }
    })()
    return new JwtAlgorithm('ES512', imported)
  }

  /** @internal Resolves to the imported keys; rejects with `KeyImportError` / `UnsupportedAlgorithmError`. */
  keys(): Promise<ImportedKeys> {
    return this.#keys
  }
}
