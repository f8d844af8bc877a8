import { toAuthSuccessJson } from './auth-success.ts'
import type { AuthStorage } from './types.ts'

/**
 * Cookie mode's storage: the sign-in (an access token, never a refresh or session token) in this tab's
 * memory, passed to the origin's other tabs over a `BroadcastChannel` named `name`, so a refresh or a
 * sign-out in one tab reaches all and tabs take turns refreshing (`sharedAs`). Nothing is written to disk.
 */
export function tabMemoryStorage(name: string): AuthStorage {
  let value: ReturnType<AuthStorage['get']> = null
  const listeners = new Set<() => void>()
  const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(name) : null
  if (channel) {
    channel.onmessage = (event: MessageEvent) => {
      value = toAuthSuccessJson(event.data)
      for (const listener of listeners) listener()
    }
    // Node and Deno keep a process alive while a channel listens; a page or worker has no such method.
    ;(channel as { unref?: () => void }).unref?.()
  }
  return {
    get: () => value,
    set(next) {
      value = next
      channel?.postMessage(next)
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
    ...(channel && { sharedAs: name }),
  }
}

/**
 * Remembers, across reloads, that a cookie-mode sign-out could not reach the server: its cookie is still
 * set, and the next `resume()` must finish the sign-out instead of picking the sign-in back up. Holds
 * a flag, no token.
 */
export function pendingSignOut(name: string) {
  const key = `${name}:sign-out-pending`
  let inMemory = false
  const local = () => {
    try {
      return globalThis.localStorage ?? null
    } catch {
      return null // storage blocked by the browser's settings
    }
  }
  return {
    get: () => local()?.getItem(key) === '1' || inMemory,
    set(pending: boolean) {
      inMemory = pending
      if (pending) local()?.setItem(key, '1')
      else local()?.removeItem(key)
    },
  }
}
