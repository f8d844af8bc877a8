/**
 * edge-token-managers/jwt: validate the library's access tokens and nothing else — no store, no
 * issuing, no refresh — in a bundle of a few KB, for Workers that only check who is calling.
 *
 * @example
 * ```ts
 * import { createAccessTokenVerifier } from 'edge-token-managers/jwt'
 *
 * const verify = createAccessTokenVerifier({ key: env.jwtHmacSha512PrivateKey })
 * export default {
 *   async fetch(request: Request) {
 *     const auth = await verify(request.headers.get('authorization')?.replace(/^Bearer /, '') ?? '')
 *     return auth ? Response.json({ user: auth.userIdentifier }) : new Response('unauthorized', { status: 401 })
 *   },
 * }
 * ```
 */
export { createAccessTokenVerifier, type AccessTokenVerifier, type AccessTokenVerifierOptions, type VerificationKey } from './verifier.ts'
export type { AuthenticationInfo } from '../managers/types.ts'
