import { toAuthSuccessJson } from './auth-success.ts'
import type { AuthStorage, AuthSuccessJson } from './types.ts'

/**
 * Keeps the sign-in in memory: private to this client, gone on reload. The default.
 *
 * @example
 * ```ts
 * const client = createAuthClient({ baseUrl: 'https://api.example.com', storage: memoryStorage() })
 * ```
 */
export function memoryStorage(initial: AuthSuccessJson | null = null): AuthStorage {
  let value = initial
  return {
    get: () => value,
    set: (next) => void (value = next),
  }
}

/**
 * Keeps the sign-in in `localStorage` under `key`: survives reloads and is shared by every tab of the
 * origin. Tabs hear each other's changes (the `storage` event) and take turns refreshing (the lock is
 * named after `key`). A corrupt or foreign value reads as signed out.
 *
 * @example
 * ```ts
 * const client = createAuthClient({ baseUrl: location.origin, storage: localStorageStorage() })
 * ```
 */
export function localStorageStorage(key = 'edge-token-managers.auth'): AuthStorage {
  return {
    get() {
      const raw = globalThis.localStorage.getItem(key)
      if (raw === null) return null
      try {
        return toAuthSuccessJson(JSON.parse(raw))
      } catch {
        return null
      }
    },
    set(value) {
      if (value === null) globalThis.localStorage.removeItem(key)
      else globalThis.localStorage.setItem(key, JSON.stringify(value))
    },
    subscribe(listener) {
      if (typeof globalThis.addEventListener !== 'function') return () => {}
      // Fired only in the *other* tabs of the origin; `key === null` means localStorage.clear().
      const onStorage = (event: StorageEvent) => {
        if (event.key === key || event.key === null) listener()
      }
      globalThis.addEventListener('storage', onStorage)
      return () => globalThis.removeEventListener('storage', onStorage)
    },
    sharedAs: key,
  }
}
