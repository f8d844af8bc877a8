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
 * wait: after `maxWaitMs` (a tab stuck mid-refresh) the task runs without the lock. The holder keeps the
 * lock `lingerMs` after its task: browsers pass localStorage between tabs asynchronously, and a tab that
 * queues meanwhile learns (`waited: true`) to wait for that result instead of refreshing again. Callers
 * get the task's result at once, not after the linger. Falls back to `noLock` where Web Locks are missing
 * (older browsers, insecure origins, server runtimes). The default.
 *
 * @example
 * ```ts
 * createAuthClient({ baseUrl, storage: localStorageStorage(), lock: webLocks({ maxWaitMs: 5_000 }) })
 * ```
 */
export function webLocks({ maxWaitMs = 10_000, lingerMs = 250 }: { maxWaitMs?: number; lingerMs?: number } = {}): RefreshLock {
  const locks = (globalThis.navigator as { locks?: LockManager } | undefined)?.locks
  if (!locks || typeof AbortSignal.timeout !== 'function') return noLock
  const heldElsewhere = Symbol('held elsewhere')
  return {
    run: (name, task) => new Promise((resolve, reject) => {
      let started = false
      const hold = (waited: boolean) => async () => {
        started = true
        await task({ waited }).then(resolve, reject)
        await new Promise((linger) => setTimeout(linger, lingerMs))
      }
      const acquire = async () => {
        // First without waiting, so the task knows whether another tab held the lock before it.
        const outcome = await locks.request(name, { ifAvailable: true }, async (lock) => (lock ? hold(false)() : heldElsewhere))
        if (outcome === heldElsewhere) await locks.request(name, { signal: AbortSignal.timeout(maxWaitMs) }, hold(true))
      }
      acquire().catch(() => {
        // The wait timed out (the holder is stuck, no result of its is coming) or locks failed: run unlocked.
        if (!started) task({ waited: false }).then(resolve, reject)
      })
    }),
  }
}
