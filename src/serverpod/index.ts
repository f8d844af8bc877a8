/**
 * Serverpod 3.4 interoperability: a token store on Serverpod's own tables, token strings and hashes, so a
 * Worker and a Serverpod server share one database and honour each other's tokens. Needs the optional
 * peer dependencies `drizzle-orm` and `@noble/hashes`.
 *
 * @example
 * ```ts
 * import { serverpodStore } from 'edge-token-managers/serverpod'
 * const auth = initializeAuthServices({ store: serverpodStore(db), tokenManagerBuilders: [new JwtConfigFromPasswords(env)] })
 * ```
 */
export { serverpodStore, type ServerpodStoreOptions } from './store.ts'
export type { Argon2Parameters } from './argon2.ts'
