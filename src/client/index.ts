/**
 * edge-token-managers/client: keeps a browser (or any fetch-capable runtime) signed in against
 * `authRoutes` — attaches the token, refreshes eagerly and once, signs out when the refresh token dies.
 * Imports nothing: no packages, no runtime-specific modules.
 *
 * @example
 * ```ts
 * import { createAuthClient, localStorageStorage } from 'edge-token-managers/client'
 * const client = createAuthClient({ baseUrl: location.origin, storage: localStorageStorage(), onSignedOut: () => location.assign('/sign-in') })
 * const response = await client.fetch('/api/profile')
 * ```
 */
export { createAuthClient } from './auth-client.ts'
export { memoryStorage, localStorageStorage } from './storage.ts'
export { webLocks, noLock } from './lock.ts'
export type {
  AuthClient, AuthClientOptions, AuthStorage, AuthSuccessInput, AuthSuccessJson, RefreshLock, SignOutReason,
} from './types.ts'
