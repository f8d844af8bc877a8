// The client's state: what its storage holds (a sign-in, or null) and who hears about changes. Reads are
// plain reads; listeners hear each change once, and `onSignedOut` only a sign-in ending, with its reason.
import type { AuthStorage, AuthSuccessJson, SignOutReason } from './types.ts'

/** The state of one client, over its storage. */
export interface ClientState {
  /** What storage holds now. Never notifies anyone, even when another tab changed it. */
  read(): AuthSuccessJson | null
  /** Stores a sign-in (new, or refreshed) and announces it. */
  write(value: AuthSuccessJson): AuthSuccessJson | null
  /** Clears storage; a sign-in that ends here is reported to `onSignedOut` with `reason` (and `code`). */
  clear(reason: SignOutReason, code?: string | null): null
  /** Notices a change made elsewhere (another tab, another client on the same storage) and announces it. */
  notify(): AuthSuccessJson | null
  /** Calls `listener` after every change; returns the unsubscribe. */
  onChange(listener: (authSuccess: AuthSuccessJson | null) => void): () => void
}

/**
 * The state of a client on `storage`. A change is announced once, however many reads and writes observe it.
 *
 * @example
 * ```ts
 * const state = clientState(memoryStorage(), ({ reason }) => console.log('signed out:', reason))
 * state.write(authSuccess)  // listeners hear it
 * state.read()              // nobody hears it
 * state.clear('signOut')    // listeners and onSignedOut hear it
 * ```
 */
export function clientState(storage: AuthStorage, onSignedOut?: (event: { reason: SignOutReason; code?: string }) => void): ClientState {
  const listeners = new Set<(authSuccess: AuthSuccessJson | null) => void>()
  let known = storage.get()

  /** Announces what storage holds if it differs from the last announced state. */
  function announce(reason: SignOutReason, code?: string | null): AuthSuccessJson | null {
    const current = storage.get()
    if (sameSignIn(current, known)) return current
    const wasSignedIn = known !== null
    known = current
    for (const listener of listeners) guarded(() => listener(current))
    if (wasSignedIn && current === null) guarded(() => onSignedOut?.({ reason, ...(code && { code }) }))
    return current
  }

  return {
    read: () => storage.get(),
    write(value) {
      storage.set(value)
      // A value written here never reads back as null, unless another tab cleared storage at once: elsewhere.
      return announce('elsewhere')
    },
    clear(reason, code) {
      storage.set(null)
      announce(reason, code)
      return null
    },
    notify: () => announce('elsewhere'),
    onChange(listener) {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
  }
}

/**
 * Whether two states are the same sign-in at the same step (a refresh changes the token, a new sign-in the id).
 *
 * @example
 * ```ts
 * if (!sameSignIn(storage.get(), sent)) retryWithTheNewToken()
 * ```
 */
export function sameSignIn(a: AuthSuccessJson | null, b: AuthSuccessJson | null): boolean {
  if (a === null || b === null) return a === b
  return a.token === b.token && a.refreshToken === b.refreshToken && a.tokenId === b.tokenId
}

/** A throwing listener must not break the client's own flow (nor the other listeners): report it instead. */
function guarded(callback: () => void): void {
  try {
    callback()
  } catch (error) {
    if (typeof globalThis.reportError === 'function') globalThis.reportError(error)
    else setTimeout(() => { throw error })
  }
}
