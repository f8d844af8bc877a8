// The Web Crypto layer: no imports outside this folder, no `node:*`, no packages.
export { decodeBase64Url, encodeBase64, encodeBase64Url } from './base64url.ts'
export { randomBytes, timingSafeEqual, utf8Decode, utf8Encode, type Bytes } from './bytes.ts'
export { signJws, verifyJws, verifyJwt, maxJwsLength, type JwsAlgorithm, type JwsKey, type VerifiedJws, type VerifiedJwt } from './jws.ts'
export { exportPublicJwk, importEs512PrivateKey, importEs512PublicKey, importHmacSha512Key, jwkThumbprint } from './keys.ts'
export { SecretHasher, maxPbkdf2Iterations, type SecretHashAlgorithm, type SecretHashVerdict } from './secret-hash.ts'
export { ConfigError, EdgeTokenError, KeyImportError, UnsupportedAlgorithmError } from './errors.ts'
