import { decodeBase64Url, encodeBase64Url } from './base64url.ts'
import { utf8Encode, type Bytes } from './bytes.ts'
import { decodeJsonPart, jwsVerifier, webCryptoParams, type JwsKey, type ReadVerified } from './jws-verifier.ts'

export { maxJwsLength, type JwsAlgorithm, type JwsKey } from './jws-verifier.ts'

/** A verified compact JWS: its header and its payload bytes. */
export interface VerifiedJws {
  header: Record<string, unknown>
  payload: Bytes
}

/** A verified JWT: its header and its claims object. */
export interface VerifiedJwt {
  header: Record<string, unknown>
  payload: Record<string, unknown>
}

const encodeJson = (value: unknown) => encodeBase64Url(utf8Encode(JSON.stringify(value)))

/**
 * Signs claims as a compact JWS with header `{ alg, typ: 'JWT', kid? }`.
 */
export async function signJws(payload: Record<string, unknown>, key: JwsKey): Promise<string> {
  const header = { alg: key.alg, typ: 'JWT', ...(key.kid !== undefined && { kid: key.kid }) }
  const signingInput = `${encodeJson(header)}.${encodeJson(payload)}`
  const signature = await crypto.subtle.sign(webCryptoParams(key.alg), key.key, utf8Encode(signingInput))
  return `${signingInput}.${encodeBase64Url(new Uint8Array(signature))}`
}

/** The verified header (a copy: the verifier shares its own) and the payload as `decode` reads it. */
const withHeader = <P>(decode: (part: string) => P | null): ReadVerified<null, { header: Record<string, unknown>; payload: P }> =>
  (part, header) => {
    const payload = decode(part)
    return payload && { header: { ...header }, payload }
  }

/**
 * Verifies a compact JWS against a set of keys (primary first, then fallbacks) and returns its header
 * and payload bytes, or `null` for anything invalid: never throws. The header is strict (known `alg`,
 * no `crit`, `b64`, `jku`, `x5u` or `jwk`, `typ` JWT if present, `kid` ≤ 256 characters); base64url is
 * strict and canonical; the key whose `kid` matches is tried first, at most 8 keys; tokens over
 * {@link maxJwsLength} are refused unread. The payload is not interpreted — see {@link verifyJwt}.
 */
export function verifyJws(token: unknown, keys: readonly JwsKey[]): Promise<VerifiedJws | null> {
  return jwsVerifier(keys, withHeader(decodeBase64Url))(token, null)
}

/**
 * Verifies a JWT: a compact JWS ({@link verifyJws}) whose payload is a JSON object without duplicate
 * keys. Returns `null` for anything else. Only the signature is checked here; the claims (`exp`, `iss`,
 * …) are the caller's.
 */
export function verifyJwt(token: unknown, keys: readonly JwsKey[]): Promise<VerifiedJwt | null> {
  return jwsVerifier(keys, withHeader(decodeJsonPart))(token, null)
}
