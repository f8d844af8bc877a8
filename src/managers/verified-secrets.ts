import { timingSafeEqual } from '../crypto/bytes.ts'
import { Lru } from './lru.ts'

/**
 * Secrets this manager has verified against a stored hash, per token id. Verification is a pure function
 * of (secret, stored hash, peppers): when the database returns the very hash a presented secret already
 * matched, the HMAC need not run again — the read still happens, so revocation stays immediate. Both
 * comparisons are constant-time; only `'current'` verdicts are kept (an outdated hash is about to change).
 */
export class VerifiedSecrets {
  readonly #entries: Lru<string, { secret: Uint8Array; stored: Uint8Array }>

  constructor(capacity = 1024) {
    this.#entries = new Lru(capacity)
  }

  /** Whether `secret` was verified against exactly `stored` before. */
  matches(id: string, secret: Uint8Array, stored: Uint8Array): boolean {
    const entry = this.#entries.get(id)
    if (entry === undefined) return false
    // Both compared every time: how long it takes says nothing about which one differed.
    const sameStored = timingSafeEqual(entry.stored, stored)
    const sameSecret = timingSafeEqual(entry.secret, secret)
    return sameStored && sameSecret
  }

  remember(id: string, secret: Uint8Array, stored: Uint8Array): void {
    this.#entries.set(id, { secret: secret.slice(), stored: stored.slice() })
  }
}
