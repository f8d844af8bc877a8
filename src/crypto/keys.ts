import { decodeBase64, encodeBase64Url } from './base64url.ts'
import { utf8Encode } from './bytes.ts'
import { ConfigError, KeyImportError, UnsupportedAlgorithmError } from './errors.ts'
import type { WebCryptoKey, Jwk } from './web-types.ts'

const hmacSha512 = { name: 'HMAC', hash: 'SHA-512' } as const
const ecdsaP521 = { name: 'ECDSA', namedCurve: 'P-521' } as const

/** Is ECDSA P-521 there at all? Tells a bad key apart from a runtime that lacks the curve. */
let p521Probe: Promise<boolean> | undefined
function runtimeHasP521(): Promise<boolean> {
  p521Probe ??= crypto.subtle.generateKey(ecdsaP521, false, ['sign', 'verify']).then(() => true, () => false)
  return p521Probe
}

async function importEcKey(format: 'jwk' | 'pkcs8' | 'spki', data: Jwk | Uint8Array, usage: 'sign' | 'verify', role: string): Promise<WebCryptoKey> {
  try {
    // Public keys stay extractable: their JWK is published at /.well-known/jwks.json.
    const extractable = usage === 'verify'
    return format === 'jwk'
      ? await crypto.subtle.importKey('jwk', data as Jwk, ecdsaP521, extractable, [usage])
      : await crypto.subtle.importKey(format, data as Uint8Array<ArrayBuffer>, ecdsaP521, extractable, [usage])
  } catch (cause) {
    if (!(await runtimeHasP521())) throw new UnsupportedAlgorithmError('This runtime\'s Web Crypto has no ECDSA P-521: ES512 is unavailable here.', { cause })
    throw new KeyImportError(`The ES512 ${role} key could not be imported (${format}).`, { cause })
  }
}

function pemBody(pem: string, label: string, role: string): Uint8Array {
  const match = new RegExp(`^-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----$`).exec(pem.trim())
  const der = match && decodeBase64(match[1]!)
  if (!der || der.length === 0) {
    const hint = label === 'PRIVATE KEY' && pem.includes('EC PRIVATE KEY') ? ' Convert SEC1 keys with `openssl pkcs8 -topk8 -nocrypt`.' : ''
    throw new KeyImportError(`The ES512 ${role} key must be a PEM "${label}" block.${hint}`)
  }
  return der
}

/** `key` itself if it is an ECDSA P-521 key of this type, else a `KeyImportError`. */
export function checkCryptoKey(key: WebCryptoKey, type: KeyType, role: string): WebCryptoKey {
  const algorithm = key.algorithm as EcKeyAlgorithm
  if (key.type !== type || algorithm.name !== 'ECDSA' || algorithm.namedCurve !== 'P-521') {
    throw new KeyImportError(`The ES512 ${role} key must be an ECDSA P-521 ${type} CryptoKey.`)
  }
  return key
}

const isCryptoKey = (value: unknown): value is WebCryptoKey => typeof CryptoKey !== 'undefined' && value instanceof CryptoKey

/**
 * Imports an ES512 (ECDSA P-521) private key from a CryptoKey, a JWK, or PEM (PKCS#8).
 */
export async function importEs512PrivateKey(key: WebCryptoKey | Jwk | string): Promise<WebCryptoKey> {
  if (isCryptoKey(key)) return checkCryptoKey(key, 'private', 'private')
  if (typeof key === 'string') return importEcKey('pkcs8', pemBody(key, 'PRIVATE KEY', 'private'), 'sign', 'private')
  if (key?.kty !== 'EC' || key.crv !== 'P-521' || typeof key.d !== 'string') {
    throw new KeyImportError('The ES512 private key JWK must have kty "EC", crv "P-521" and d.')
  }
  return importEcKey('jwk', { kty: 'EC', crv: 'P-521', x: key.x, y: key.y, d: key.d }, 'sign', 'private')
}

/**
 * Imports an ES512 (ECDSA P-521) public key from a CryptoKey, a JWK, or PEM (SPKI). A private JWK
 * is accepted too: only its public part is used.
 */
export async function importEs512PublicKey(key: WebCryptoKey | Jwk | string): Promise<WebCryptoKey> {
  if (isCryptoKey(key)) return checkCryptoKey(key, 'public', 'public')
  if (typeof key === 'string') return importEcKey('spki', pemBody(key, 'PUBLIC KEY', 'public'), 'verify', 'public')
  if (key?.kty !== 'EC' || key.crv !== 'P-521' || typeof key.x !== 'string' || typeof key.y !== 'string') {
    throw new KeyImportError('The ES512 public key JWK must have kty "EC", crv "P-521", x and y.')
  }
  return importEcKey('jwk', { kty: 'EC', crv: 'P-521', x: key.x, y: key.y }, 'verify', 'public')
}

/** RFC 7518 §3.2 wants an HMAC key as long as the hash (64 bytes); 32 keeps Serverpod's 32-character passwords working. */
const minimumHmacSecretBytes = 32

/**
 * Throws a `ConfigError` unless `secret` can be an HS512 key: a string or bytes of at least 32 bytes, or a
 * CryptoKey. `who` names the option in the message, which never holds the value.
 */
export function checkHmacSecret(secret: unknown, who: string): asserts secret is string | Uint8Array | WebCryptoKey {
  if (secret == null || (typeof secret !== 'object' && typeof secret !== 'string')) {
    // Usually an unset variable: say so, by type only (never a value).
    throw new ConfigError(`${who} needs a secret (string, bytes or CryptoKey), got ${secret === null ? 'null' : typeof secret}: is the variable that holds it set?`)
  }
  const length = typeof secret === 'string' ? utf8Encode(secret).length : secret instanceof Uint8Array ? secret.length : Infinity
  if (length < minimumHmacSecretBytes) {
    throw new ConfigError(`${who} needs a secret of at least ${minimumHmacSecretBytes} bytes (64 random bytes recommended).`)
  }
}

/**
 * Imports an HMAC-SHA512 key. A string is its UTF-8 bytes; a CryptoKey must be HMAC with SHA-512.
 */
export async function importHmacSha512Key(secret: string | Uint8Array | WebCryptoKey): Promise<WebCryptoKey> {
  if (isCryptoKey(secret)) {
    const algorithm = secret.algorithm as HmacKeyAlgorithm
    if (algorithm.name !== 'HMAC' || algorithm.hash?.name !== 'SHA-512') throw new KeyImportError('The HS512 key must be an HMAC SHA-512 CryptoKey.')
    return secret
  }
  const bytes = typeof secret === 'string' ? utf8Encode(secret) : new Uint8Array(secret)
  try {
    return await crypto.subtle.importKey('raw', bytes, hmacSha512, false, ['sign', 'verify'])
  } catch (cause) {
    throw new UnsupportedAlgorithmError('This runtime\'s Web Crypto cannot import an HMAC SHA-512 key.', { cause })
  }
}

/**
 * The public JWK of an extractable ECDSA public key: `kty`, `crv`, `x`, `y` only.
 */
export async function exportPublicJwk(publicKey: WebCryptoKey): Promise<Jwk> {
  let jwk: Jwk
  try {
    jwk = await crypto.subtle.exportKey('jwk', publicKey)
  } catch (cause) {
    throw new KeyImportError('The ES512 public key must be extractable to be published in the JWKS.', { cause })
  }
  return { kty: jwk.kty!, crv: jwk.crv!, x: jwk.x!, y: jwk.y! }
}

/** The members RFC 7638 §3.2 hashes for each key type, in lexicographic order. */
const thumbprintMembers: Record<string, readonly (keyof Jwk)[]> = {
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  RSA: ['e', 'kty', 'n'],
}

/**
 * The RFC 7638 thumbprint of a public JWK (EC, OKP or RSA; SHA-256, base64url): a stable `kid`, and the
 * `jkt` that DPoP binds tokens to. Private members are ignored: only the required public ones are hashed.
 *
 * @example
 * ```ts
 * const jkt = await jwkThumbprint({ kty: 'EC', crv: 'P-256', x: '…', y: '…' }) // 43 base64url characters
 * ```
 */
export async function jwkThumbprint(jwk: Jwk): Promise<string> {
  const members = typeof jwk?.kty === 'string' ? thumbprintMembers[jwk.kty] : undefined
  if (!members || !members.every((m) => typeof jwk[m] === 'string' && jwk[m] !== '')) {
    throw new KeyImportError('A thumbprint needs an EC (crv, x, y), OKP (crv, x) or RSA (n, e) JWK.')
  }
  // Required members only, in lexicographic order, no whitespace (RFC 7638 §3.2).
  const canonical = `{${members.map((m) => `${JSON.stringify(m)}:${JSON.stringify(jwk[m])}`).join(',')}}`
  return encodeBase64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', utf8Encode(canonical))))
}
