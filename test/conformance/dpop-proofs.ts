// DPoP proofs made by the suite itself, with nothing but Web Crypto (no library code), so the negative
// cases can also forge what a client of the library never would: a private `jwk`, `alg: none`, an HMAC,
// a wrong `typ`, a proof whose header names one key and whose signature is another's. Portable: every
// runtime of the conformance suite signs its own proofs.
import { base64UrlJson, bytesToBase64Url } from './support.ts'

/** A client's ES256 key pair (extractable, so a case can leak its private half into a proof). */
export interface ProofKey {
  privateKey: CryptoKey
  /** `kty`, `crv`, `x`, `y` only. */
  publicJwk: JsonWebKey
  /** The private JWK, `d` included. */
  privateJwk: JsonWebKey
}

const es256 = { name: 'ECDSA', namedCurve: 'P-256' } as const

export async function proofKey(): Promise<ProofKey> {
  const pair = (await crypto.subtle.generateKey(es256, true, ['sign', 'verify'])) as CryptoKeyPair
  const privateJwk = (await crypto.subtle.exportKey('jwk', pair.privateKey)) as JsonWebKey
  const { kty, crv, x, y } = privateJwk
  return { privateKey: pair.privateKey, publicJwk: { kty, crv, x, y }, privateJwk }
}

/** RFC 7638 thumbprint of an EC public key: what a bound token's `cnf.jkt` holds. */
export async function thumbprint(jwk: JsonWebKey): Promise<string> {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })
  return bytesToBase64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical))))
}

/** `ath`: base64url SHA-256 of the access token. */
export async function ath(accessToken: string): Promise<string> {
  return bytesToBase64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(accessToken))))
}

export interface ProofInput {
  htm: string
  htu: string
  /** Seconds since the epoch. */
  iat: number
  /** The access token the proof goes with: its hash becomes `ath`. */
  accessToken?: string
  nonce?: string
  /** Replaces the random `jti`, e.g. to replay one on purpose. */
  jti?: string
  /** Merged over the header `{ typ: 'dpop+jwt', alg: 'ES256', jwk }`; a key set to `undefined` is dropped. */
  header?: Record<string, unknown>
  /** Merged over the claims; a key set to `undefined` is dropped. */
  claims?: Record<string, unknown>
  /** Sign with this key instead of `key` (the header still names `key`'s public JWK). */
  signer?: CryptoKey
}

/** A compact ES256 DPoP proof by `key`, with whatever the case changes. */
export async function signProof(key: ProofKey, input: ProofInput): Promise<string> {
  const header = { typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk, ...input.header }
  const claims = {
    jti: input.jti ?? crypto.randomUUID(),
    htm: input.htm,
    htu: input.htu,
    iat: input.iat,
    ...(input.accessToken !== undefined && { ath: await ath(input.accessToken) }),
    ...(input.nonce !== undefined && { nonce: input.nonce }),
    ...input.claims,
  }
  const signingInput = `${base64UrlJson(header)}.${base64UrlJson(claims)}`
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, input.signer ?? key.privateKey, new TextEncoder().encode(signingInput))
  return `${signingInput}.${bytesToBase64Url(new Uint8Array(signature))}`
}

/** A proof with `alg: none` and an empty signature (RFC 7519 §6): the claims of a good proof, unsigned. */
export function unsignedProof(key: ProofKey, input: ProofInput): string {
  const claims = { jti: crypto.randomUUID(), htm: input.htm, htu: input.htu, iat: input.iat, ...input.claims }
  return `${base64UrlJson({ typ: 'dpop+jwt', alg: 'none', jwk: key.publicJwk })}.${base64UrlJson(claims)}.`
}

/**
 * A proof MACed with HS256 under a secret the attacker chose, its header carrying that secret as an `oct`
 * JWK (a verifier that took the header's key and algorithm at their word would accept it).
 */
export async function hmacProof(input: ProofInput): Promise<string> {
  const secret = crypto.getRandomValues(new Uint8Array(32))
  const header = { typ: 'dpop+jwt', alg: 'HS256', jwk: { kty: 'oct', k: bytesToBase64Url(secret) } }
  const claims = { jti: crypto.randomUUID(), htm: input.htm, htu: input.htu, iat: input.iat, ...(input.accessToken !== undefined && { ath: await ath(input.accessToken) }) }
  const signingInput = `${base64UrlJson(header)}.${base64UrlJson(claims)}`
  const hmac = await crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const mac = await crypto.subtle.sign('HMAC', hmac, new TextEncoder().encode(signingInput))
  return `${signingInput}.${bytesToBase64Url(new Uint8Array(mac))}`
}
