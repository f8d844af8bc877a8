// Building blocks for forged tokens: compact JWS from raw header/payload JSON text (so duplicate keys,
// odd numbers and deep nesting survive), signed with whatever key an attacker might hold — or with the
// real key, to prove that a single broken rule is enough to reject a token.
import { encodeBase64Url, utf8Encode } from '../../src/crypto/index.ts'

export const b64url = (value: string | Uint8Array) => encodeBase64Url(typeof value === 'string' ? utf8Encode(value) : value)

/** How a forged token is signed. */
export type Signer =
  | { hmac: Uint8Array | string }
  | { ecdsa: CryptoKey }
  | { signature: string }

async function sign(signer: Signer, input: string): Promise<string> {
  if ('signature' in signer) return signer.signature
  if ('hmac' in signer) {
    const bytes = typeof signer.hmac === 'string' ? utf8Encode(signer.hmac) : new Uint8Array(signer.hmac)
    // Web Crypto refuses an empty HMAC key; an attacker's HMAC library would not. Pad with zeros: for
    // HMAC a key shorter than the block size is zero-padded anyway, so this is the same MAC.
    const key = await crypto.subtle.importKey('raw', bytes.length ? bytes : new Uint8Array(1), { name: 'HMAC', hash: 'SHA-512' }, false, ['sign'])
    return b64url(new Uint8Array(await crypto.subtle.sign('HMAC', key, utf8Encode(input))))
  }
  return b64url(new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-512' }, signer.ecdsa, utf8Encode(input))))
}

/**
 * A compact JWS of exactly this header and payload text.
 *
 * @example
 * ```ts
 * await forgeJws('{"alg":"HS512","crit":["exp"]}', claims(), { hmac: secrets.hmac })
 * ```
 */
export async function forgeJws(header: string | object, payload: string | object, signer: Signer): Promise<string> {
  const text = (value: string | object) => (typeof value === 'string' ? value : JSON.stringify(value))
  const input = `${b64url(text(header))}.${b64url(text(payload))}`
  return `${input}.${await sign(signer, input)}`
}

/**
 * The claims of a well-formed access token at `nowMs`, as JSON text; `overrides` replace or (with
 * `undefined`) remove claims.
 *
 * @example
 * ```ts
 * claims(clock().getTime(), { exp: undefined }) // no exp at all
 * ```
 */
export function claims(nowMs: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = Math.floor(nowMs / 1000)
  const base: Record<string, unknown> = {
    sub: 'victim', iat, exp: iat + 600, jti: crypto.randomUUID(), 'dev.serverpod.refreshTokenId': crypto.randomUUID(),
  }
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete base[name]
    else base[name] = value
  }
  return base
}

/**
 * The same bytes, spelled non-canonically: the unused low bits of the last base64url character set.
 * Lenient decoders read it as the original; a strict one must refuse it.
 */
export function nonCanonical(part: string): string | null {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  if (part.length % 4 < 2) return null
  const last = alphabet.indexOf(part.at(-1)!)
  return part.slice(0, -1) + alphabet[last | 1]!
}

/** A fresh ES512 key pair with its public key in every form an attacker could turn into HMAC key bytes. */
export async function es512KeyMaterial() {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-521' }, true, ['sign', 'verify'])) as CryptoKeyPair
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey))
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey)) // 0x04 ‖ x ‖ y
  const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey)
  const base64 = btoa(String.fromCharCode(...spki))
  const pem = `-----BEGIN PUBLIC KEY-----\n${base64.match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----`
  return { ...pair, spki, raw, xy: raw.slice(1), jwk, pem }
}
