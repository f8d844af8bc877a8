// Web Crypto's types, named without the DOM lib. Workers' types, Deno's, Node's and the DOM all declare
// `crypto.subtle`, but not all declare `CryptoKey`, `JsonWebKey` or `EcdsaParams`: the shipped declarations
// name only what every one of them has, so they compile (and are not silently `any`) under each.

/** A Web Crypto key, as `crypto.subtle` returns it in this runtime's types. */
export type WebCryptoKey = Extract<Awaited<ReturnType<typeof crypto.subtle.generateKey>>, { type: string }>

/** The algorithm argument of `crypto.subtle.importKey` (and, for key pairs, `generateKey`). */
export type KeyImportParams = Parameters<typeof crypto.subtle.importKey>[2]

/** The algorithm argument of `crypto.subtle.verify` / `sign`. */
export type SignatureAlgorithm = Parameters<typeof crypto.subtle.verify>[0]

/** A JSON Web Key (RFC 7517): the members the key options read; others are passed through. */
export interface Jwk {
  kty?: string
  crv?: string
  x?: string
  y?: string
  d?: string
  k?: string
  n?: string
  e?: string
  alg?: string
  use?: string
  kid?: string
  key_ops?: string[]
  ext?: boolean
}
