/**
 * edge-token-managers: Serverpod 3's token managers for edge runtimes.
 * This entry holds the managers, their configs and errors; storage, Hono and the client are subpaths.
 *
 * @example
 * ```ts
 * import { initializeAuthServices, JwtConfigFromPasswords } from 'edge-token-managers'
 * import { drizzleTokenStore } from 'edge-token-managers/drizzle'
 * const auth = initializeAuthServices({ store: drizzleTokenStore(db), tokenManagerBuilders: [new JwtConfigFromPasswords(env)] })
 * ```
 */
export * from './managers/index.ts'
