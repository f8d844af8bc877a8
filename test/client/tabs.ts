// Tabs of one origin, in one process: a shared storage slot that behaves like localStorage (its change
// event reaches only the *other* tabs) and an exclusive lock that behaves like Web Locks.
import type { AuthStorage, AuthSuccessJson, RefreshLock } from '../../src/client/index.ts'

/** One origin's localStorage slot; `tab()` gives each tab its view of it. */
export function sharedArea() {
  let value: AuthSuccessJson | null = null
  const tabs = new Set<() => void>()
  return {
    tab(): AuthStorage {
      let notifyMe: (() => void) | null = null
      return {
        get: () => value,
        set(next) {
          value = next
          for (const notify of tabs) if (notify !== notifyMe) notify()
        },
        subscribe(listener) {
          notifyMe = listener
          tabs.add(listener)
          return () => tabs.delete(listener)
        },
        sharedAs: 'auth',
      }
    },
  }
}

/** An exclusive FIFO lock per name, as `navigator.locks.request` grants. */
export function inProcessLocks(): RefreshLock {
  const tails = new Map<string, Promise<unknown>>()
  return {
    run(name, task) {
      const previous = tails.get(name) ?? Promise.resolve()
      const result = previous.then(task, task)
      tails.set(name, result.catch(() => {}))
      return result
    },
  }
}

