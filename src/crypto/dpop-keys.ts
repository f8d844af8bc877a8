// The keys a DPoP proof may carry in its `jwk` header (RFC 9449 §4.2): asymmetric only, one curve per
// algorithm, public members only. A proof names its own key, so every rule here is about refusing keys.
import type { KeyImportParams, SignatureAlgorithm, WebCryptoKey, Jwk } from './web-types.ts'

/** The JWS algorithms a DPoP proof may use. Never `none`, never a MAC: the verifier holds no secret. */
export type DpopAlgorithm = 'ES256' | 'ES384' | 'ES512' | 'EdDSA'

interface AlgorithmParams {
  kty: 'EC' | 'OKP'
  crv: string
  importParams: KeyImportParams
  signParams: SignatureAlgorithm
  /** Every signature of this algorithm has this many bytes (JWS uses raw r ‖ s for ECDSA). */
  signatureLength: number
}

const params: Record<DpopAlgorithm, AlgorithmParams> = {
  ES256: { kty: 'EC', crv: 'P-256', importParams: { name: 'ECDSA', namedCurve: 'P-256' }, signParams: { name: 'ECDSA', hash: 'SHA-256' }, signatureLength: 64 },
  ES384: { kty: 'EC', crv: 'P-384', importParams: { name: 'ECDSA', namedCurve: 'P-384' }, signParams: { name: 'ECDSA', hash: 'SHA-384' }, signatureLength: 96 },
  ES512: { kty: 'EC', crv: 'P-521', importParams: { name: 'ECDSA', namedCurve: 'P-521' }, signParams: { name: 'ECDSA', hash: 'SHA-512' }, signatureLength: 132 },
  EdDSA: { kty: 'OKP', crv: 'Ed25519', importParams: { name: 'Ed25519' }, signParams: { name: 'Ed25519' }, signatureLength: 64 },
}

/**
 * Every DPoP algorithm this library knows, the one every runtime has first.
 *
 * @example
 * ```ts
 * new DpopVerifier({ algorithms: dpopAlgorithms.filter((alg) => alg !== 'EdDSA') })
 * ```
 */
export const dpopAlgorithms: readonly DpopAlgorithm[] = ['ES256', 'ES384', 'ES512', 'EdDSA']

/**
 * Whether `alg` is one of {@link dpopAlgorithms}.
 *
 * @example
 * ```ts
 * isDpopAlgorithm('ES256') // true; 'none', 'HS256' → false
 * ```
 */
export const isDpopAlgorithm = (alg: unknown): alg is DpopAlgorithm => typeof alg === 'string' && Object.hasOwn(params, alg)

// Members that only a private or symmetric key has (RFC 7517, RFC 7518 §6): a proof carrying one is refused.
const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']

/**
 * The byte length of every signature of `alg`.
 *
 * @example
 * ```ts
 * dpopSignatureLength('ES256') // 64
 * ```
 */
export const dpopSignatureLength = (alg: DpopAlgorithm): number => params[alg].signatureLength

/**
 * The `crypto.subtle.sign`/`verify` parameters of `alg`.
 *
 * @example
 * ```ts
 * await crypto.subtle.sign(dpopSignParams('ES256'), privateKey, data)
 * ```
 */
export const dpopSignParams = (alg: DpopAlgorithm): SignatureAlgorithm => params[alg].signParams

/**
 * The `crypto.subtle.generateKey` parameters of `alg` (a client's key pair).
 *
 * @example
 * ```ts
 * await crypto.subtle.generateKey(dpopKeyParams('ES256'), false, ['sign', 'verify'])
 * ```
 */
export const dpopKeyParams = (alg: DpopAlgorithm): KeyImportParams => params[alg].importParams

/**
 * The public JWK of a proof header for `alg`, reduced to its required members, or `null` when it is not
 * a public key of that algorithm's type and curve (or carries private members).
 *
 * @example
 * ```ts
 * dpopPublicJwk('ES256', { kty: 'EC', crv: 'P-256', x, y })    // { kty, crv, x, y }
 * dpopPublicJwk('ES256', { kty: 'EC', crv: 'P-256', x, y, d }) // null: a private key
 * ```
 */
export function dpopPublicJwk(alg: DpopAlgorithm, jwk: unknown): Jwk | null {
  if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk)) return null
  const key = jwk as Record<string, unknown>
  if (privateMembers.some((m) => m in key)) return null
  const { kty, crv } = params[alg]
  if (key.kty !== kty || key.crv !== crv || typeof key.x !== 'string' || key.x.length > 100) return null
  if (kty === 'OKP') return { kty, crv, x: key.x }
  if (typeof key.y !== 'string' || key.y.length > 100) return null
  return { kty, crv, x: key.x, y: key.y }
}

/**
 * Imports a proof's public JWK (from {@link dpopPublicJwk}) to verify with; `null` when Web Crypto refuses it
 * (a point off the curve, bad lengths) or the runtime lacks the algorithm.
 *
 * @example
 * ```ts
 * const key = await importDpopPublicKey('ES256', jwk)
 * ```
 */
export async function importDpopPublicKey(alg: DpopAlgorithm, jwk: Jwk): Promise<WebCryptoKey | null> {
  try {
    return await crypto.subtle.importKey('jwk', jwk, params[alg].importParams, false, ['verify'])
  } catch {
    return null
  }
}

let probes: Promise<readonly DpopAlgorithm[]> | undefined

/**
 * The DPoP algorithms this runtime's Web Crypto can verify (probed once per isolate by generating a key):
 * what `WWW-Authenticate: DPoP algs="…"` announces.
 *
 * @example
 * ```ts
 * await supportedDpopAlgorithms() // ['ES256', 'ES384', 'ES512', 'EdDSA'] on Node 22
 * ```
 */
export function supportedDpopAlgorithms(): Promise<readonly DpopAlgorithm[]> {
  probes ??= Promise.all(dpopAlgorithms.map((alg) =>
    (crypto.subtle.generateKey(params[alg].importParams as never, false, ['sign', 'verify']) as Promise<unknown>).then(() => alg, () => null)))
    .then((found) => found.filter((alg): alg is DpopAlgorithm => alg !== null))
  return probes
}
