import type { RefreshLock } from './types.ts'

/**
 * A lock that does not lock: each caller runs at once. Safe with this library's server, whose refresh
 * rotation is idempotent within a grace window (concurrent refreshes get the same new token).
 *
 * @example
 * ```ts
 * createAuthClient({ baseUrl, storage: localStorageStorage(), lock: noLock })
 * ```
 */
export const noLock: RefreshLock = { run: (_name, task) => task({ waited: false }) }

/**
 * The Web Locks API (`navigator.locks`), shared by all tabs and workers of the origin, with a bounded
 * wait: after `maxWaitMs` (a tab stuck mid-refresh) the task runs without the lock. Falls back to
 * `noLock` where Web Locks are missing (older browsers, insecure origins, server runtimes). The default.
 *
 * @example
 * ```ts
 * createAuthClient({ baseUrl, storage: localStorageStorage(), lock: webLocks({ maxWaitMs: 5_000 }) })
 * ```
 */
export function webLocks({ maxWaitMs = 10_000 }: { maxWaitMs?: number } = {}): RefreshLock {
  const locks = (globalThis.navigator as { locks?: LockManager } | undefined)?.locks
  if (!locks || typeof AbortSignal.timeout !== 'function') return noLock
  const free = Symbol('held elsewhere')
  return {
    async run(name, task) {
      // First without waiting, so the task knows whether another tab held the lock before it.
      const immediate = await locks.request(name, { ifAvailable: true }, (lock) => (lock ? task({ waited: false }) : free))
      if (immediate !== free) return immediate as Awaited<ReturnType<typeof task>>
      let started = false
      try {
        return await locks.request(name, { signal: AbortSignal.timeout(maxWaitMs) }, () => {
          started = true
          return task({ waited: true })
        })
      } catch (error) {
        // Only a wait that timed out falls through; errors of the task itself propagate.
        if (started) throw error
        return task({ waited: true })
      }
    },
  }
}
