// Keys, tokens and managers for the micro benchmarks; portable (Node, Bun, Deno, workerd). Every peer gets
// the same token and its best key form (a pre-imported CryptoKey): the comparison measures verification
// work, not key imports.
import {
  initializeAuthServices, JwtAlgorithm, JwtConfig, JwtTokenManager, type AuthServices, type AuthServicesOptions, type DpopSetting, type TokenStore,
} from '../../src/index.ts'
import { SecretHasher } from '../../src/crypto/index.ts'
import { decodeBase64Url } from '../../src/crypto/base64url.ts'
import { signJws, type JwsKey } from '../../src/crypto/jws.ts'
import { accessTokenClaims } from '../../src/managers/access-token.ts'
import { encodeSessionToken } from '../../src/managers/session-token.ts'

const secret = 'bench-hmac-sha512-key-0123456789abcdef0123456789abcdef0123456789abcdef'
const pepper = 'bench-pepper-0123456789abcdef'

// What building a manager reads from a store: its settings (a store may choose token formats and who the
// users are), never its rows.
const storeSettings = new Set<PropertyKey>(['db', 'then', 'formats', 'authUsers'])

/** JWT validation must not touch storage: any call to this store fails the benchmark loudly. */
export const untouchableStore = new Proxy({ db: null } as unknown as TokenStore, {
  get(target, property) {
    if (storeSettings.has(property)) return Reflect.get(target, property)
    throw new Error(`benchmark: JWT validation touched the store (${String(property)})`)
  },
})

/** Services with one JWT manager (with `dpop`: DPoP configured). The cache is off unless asked for: a timed
 * loop repeats one token, so with the cache on every call after the first would be a hit, not a validation. */
export function jwtServices(
  algorithm: JwtAlgorithm, verifiedTokenCacheSize = 0,
  { dpop, ...events }: Pick<AuthServicesOptions, 'onEvent' | 'validationFailures'> & { dpop?: DpopSetting } = {},
): AuthServices<unknown> {
  const config = new JwtConfig({ algorithm, refreshTokenHashPepper: pepper, accessTokenLifetime: '1h', verifiedTokenCacheSize, ...(dpop && { dpop }) })
  return initializeAuthServices({ store: untouchableStore, tokenManagerBuilders: [config], ...events })
}

const jwtManager = (algorithm: JwtAlgorithm, cacheSize = 0) => jwtServices(algorithm, cacheSize).getTokenManager(JwtTokenManager)

/** The claims the library puts in every access token (same builder as `issueToken`); with `dpopJkt`, bound to that key. */
export function libraryClaims(dpopJkt?: string): Record<string, unknown> {
  return accessTokenClaims({
    authUserId: 'user-1234567890', refreshTokenId: crypto.randomUUID(), scopes: ['admin', 'billing'], extraClaims: null,
    issuedAtMs: Date.now(), lifetimeMs: 3_600_000, issuer: undefined, dpopJkt,
  })
}

export interface AlgorithmFixture {
  /** Verified-token cache off: every call validates. */
  manager: JwtTokenManager
  /** Cache on (the default 1024 entries): the fixture's token is a hit after its first validation. */
  cachedManager: JwtTokenManager
  signingKey: JwsKey
  /** Public (ES512) or secret (HS512) CryptoKey, as jose and hono/jwt take it. */
  verifyKey: CryptoKey
  signKey: CryptoKey
  token: string
  /** Split once for the raw floor: the bytes `crypto.subtle.verify` needs. */
  signingInput: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

function splitForRaw(token: string) {
  const dot = token.lastIndexOf('.')
  return { signingInput: new TextEncoder().encode(token.slice(0, dot)), signature: decodeBase64Url(token.slice(dot + 1))! }
}

export async function hs512Fixture(): Promise<AlgorithmFixture & { secret: string }> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-512' }, false, ['sign', 'verify'])
  const signingKey: JwsKey = { alg: 'HS512', key }
  const token = await signJws(libraryClaims(), signingKey)
  const algorithm = JwtAlgorithm.hmacSha512(key)
  return { manager: jwtManager(algorithm), cachedManager: jwtManager(algorithm, 1024), signingKey, verifyKey: key, signKey: key, token, secret, ...splitForRaw(token) }
}

export async function es512Fixture(): Promise<AlgorithmFixture> {
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-521' }, true, ['sign', 'verify'])
  const algorithm = JwtAlgorithm.ecdsaSha512({ privateKey: pair.privateKey, publicKey: pair.publicKey })
  const manager = jwtManager(algorithm)
  const [jwk] = await manager.publicJwks()
  const signingKey: JwsKey = { alg: 'ES512', key: pair.privateKey, kid: jwk!.kid }
  const token = await signJws(libraryClaims(), signingKey)
  return { manager, cachedManager: jwtManager(algorithm, 1024), signingKey, verifyKey: pair.publicKey, signKey: pair.privateKey, token, ...splitForRaw(token) }
}

/** A session token and its stored hash, as `issueToken` would have written them. */
export async function sessionFixture() {
  const hasher = new SecretHasher({ pepper, saltLength: 16 })
  const sessionSecret = crypto.getRandomValues(new Uint8Array(32))
  const storedHash = await hasher.hash(sessionSecret)
  const pepperKey = await crypto.subtle.importKey('raw', new TextEncoder().encode(pepper), { name: 'HMAC', hash: 'SHA-512' }, false, ['sign'])
  // Stored layout: [version][algorithm][salt length][salt][digest] — the raw floor hashes salt ‖ secret itself.
  const salt = storedHash.slice(3, 19)
  const saltedSecret = new Uint8Array([...salt, ...sessionSecret])
  return { hasher, token: encodeSessionToken(crypto.randomUUID(), sessionSecret), storedHash, pepperKey, saltedSecret, digest: storedHash.slice(19) }
}

export { pepper, secret }
