// Replay detection for DPoP proofs (RFC 9449 §11.1): each isolate remembers the `jti`s it accepted while
// they could still pass the `iat` check. Bounded: past `size` proofs inside one window the oldest are
// forgotten, and a proof replayed to another isolate is not seen at all; nonces narrow both gaps.
import { Lru } from '../lru.ts'

/**
 * Remembers accepted proofs by key and `jti` until they expire.
 *
 * @example
 * ```ts
 * const replays = new ReplayGuard(10_000)
 * if (!replays.accept(`${jkt} ${jti}`, iatMs + maxAgeMs, Date.now())) throw new DpopProofReplayedError()
 * ```
 */
export class ReplayGuard {
  readonly #seen: Lru<string, number>

  constructor(size: number) {
    this.#seen = new Lru(size)
  }

  /** `true` and remembered until `expiresAt` if `id` is new (or its last use expired); `false` for a replay. */
  accept(id: string, expiresAt: number, now: number): boolean {
    const until = this.#seen.get(id)
    if (until !== undefined && until >= now) return false
    this.#seen.set(id, expiresAt)
    return true
  }
}
