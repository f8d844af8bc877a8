// Tabs of one origin, in one process: a shared storage slot that behaves like localStorage and an
// exclusive lock that behaves like Web Locks.
import type { AuthStorage, AuthSuccessJson, RefreshLock } from '../../src/client/index.ts'

/**
 * One origin's localStorage slot; `tab()` gives each tab its view of it. As in browsers, a change event
 * reaches only the *other* tabs. With `propagationMs`, the other tabs see a write only after that delay
 * (Chromium's localStorage is eventually consistent across tabs: a tab may get the lock before the
 * previous holder's write).
 */
export function sharedArea({ propagationMs = 0 } = {}) {
  const views = new Set<{ value: AuthSuccessJson | null; listeners: Set<() => void> }>()
  return {
    tab(): AuthStorage {
      const view = { value: [...views][0]?.value ?? null, listeners: new Set<() => void>() }
      views.add(view)
      return {
        get: () => view.value,
        set(next) {
          view.value = next
          for (const other of views) {
            if (other === view) continue
            const deliver = () => {
              other.value = next
              for (const listener of other.listeners) listener()
            }
            if (propagationMs > 0) setTimeout(deliver, propagationMs)
            else deliver()
          }
        },
        subscribe(listener) {
          view.listeners.add(listener)
          return () => view.listeners.delete(listener)
        },
        sharedAs: 'auth',
      }
    },
  }
}

/** An exclusive FIFO lock per name, as `navigator.locks.request` grants; tells the task whether it queued. */
export function inProcessLocks(): RefreshLock {
  const tails = new Map<string, Promise<unknown>>()
  const holders = new Map<string, number>()
  return {
    run(name, task) {
      const waited = (holders.get(name) ?? 0) > 0
      holders.set(name, (holders.get(name) ?? 0) + 1)
      const run = () => task({ waited }).finally(() => holders.set(name, holders.get(name)! - 1))
      const result = (tails.get(name) ?? Promise.resolve()).then(run, run)
      tails.set(name, result.catch(() => {}))
      return result
    },
  }
}
