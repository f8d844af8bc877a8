import { requireActiveUser, type ManagerContext } from './builder.ts'
import {
  RefreshTokenExpiredError, RefreshTokenInvalidSecretError, RefreshTokenNotFoundError, RefreshTokenReusedError,
} from './errors.ts'
import type { RefreshTokenParts, SecretHashing } from './formats.ts'
import type { RefreshTokenRow } from './storage.ts'
import type { RefreshOptions } from './types.ts'
import { boundRefreshJkt } from './dpop/binding.ts'

/** What a rotation needs of the JWT config. */
export interface RotationRules {
  hashers: { fixed: SecretHashing; rotating: SecretHashing }
  gracePeriod: number
  refreshTokenLifetime: number
}

/** A rotation's result: the row whose pair the caller gets, whether it was a grace retry, and when (database clock). */
export interface Rotated {
  row: RefreshTokenRow
  graceRetry: boolean
  at: Date
}

/**
 * One refresh's decision: given the presented secrets and their derived successor, swap the stored secret
 * and return the row whose pair the caller gets — or throw why not. A presented rotating secret is one of:
 * - **current**: swap it for the successor (one statement when hashes are deterministic);
 * - **a retry inside the grace window** (a lost response, a second tab): the same successor, no swap;
 * - **reuse**: a replay of a spent secret, so a copy exists somewhere — the whole family is revoked.
 *
 * @example
 * ```ts
 * const { row, graceRetry } = await new RefreshRotation(context, rules).rotate(parts, next, options, proofJkt)
 * ```
 */
export class RefreshRotation {
  readonly #context: ManagerContext
  readonly #rules: RotationRules

  constructor(context: ManagerContext, rules: RotationRules) {
    this.#context = context
    this.#rules = rules
  }

  /** When a refresh token dies, in ms: `refreshTokenLifetime` after its last rotation (sliding). */
  expiresAt(row: RefreshTokenRow): number {
    return row.rotatedAt.getTime() + this.#rules.refreshTokenLifetime
  }

  /**
   * `options`: the request's, for the events a reuse emits. `proofJkt`: the key of the request's DPoP proof; a
   * token bound to another key (or to any, without one) never swaps.
   */
  async rotate(parts: RefreshTokenParts, next: Uint8Array, options: RefreshOptions | undefined, proofJkt: string | null): Promise<Rotated> {
    // Nothing wrong (current, or a retry inside the window): one statement. Anything else: read and classify.
    return (await this.#rotateUnread(parts, next, proofJkt)) ?? (await this.#rotateRead(parts, next, options, proofJkt))
  }

  /**
   * The swap with the presented secrets' hashes, without reading the row first: possible only when hashes
   * are deterministic, and only without `authUsers` (a blocked user must be refused before the swap spends
   * the token). null when it misses for any reason: the read path then tells expired, reuse, etc. apart.
   */
  async #rotateUnread(parts: RefreshTokenParts, next: Uint8Array, proofJkt: string | null): Promise<Rotated | null> {
    const { fixed, rotating } = this.#rules.hashers
    if (!fixed.deterministic || !rotating.deterministic || this.#context.authUsers) return null
    const [fixedHash, expectedHash, newHash] = await Promise.all([fixed.hash(parts.fixedSecret), rotating.hash(parts.rotatingSecret), rotating.hash(next)])
    const rotatedAt = this.#context.clock.stamp()
    const row = await this.#context.store.rotateRefreshToken({
      id: parts.id, expectedHash, newHash, rotatedAt, gracePeriodMs: this.#rules.gracePeriod,
      unread: { fixedHash, lifetimeMs: this.#rules.refreshTokenLifetime, dpopJkt: proofJkt },
    })
    // This statement rotated the row iff its rotation time is the statement's (ours, or the database's clock).
    return row && { row, graceRetry: row.rotatedAt.getTime() !== (rotatedAt ?? row.readAt).getTime(), at: this.#context.clock.at(row.readAt) }
  }

  async #rotateRead(parts: RefreshTokenParts, next: Uint8Array, options: RefreshOptions | undefined, proofJkt: string | null): Promise<Rotated> {
    const { store, clock } = this.#context
    const { fixed, rotating } = this.#rules.hashers
    const row = await store.findRefreshToken(parts.id)
    if (!row) throw new RefreshTokenNotFoundError()
    // Before anything is spent or revoked: a token bound to a key is not this caller's without that key.
    boundRefreshJkt(row.dpopJkt ?? null, proofJkt)
    // When the request reached the database: later latency (hashing, a slow link) does not eat the window.
    const now = clock.at(row.readAt)
    if (this.expiresAt(row) <= now.getTime()) {
      await store.deleteRefreshToken(row.id)
      throw new RefreshTokenExpiredError()
    }
    // A wrong fixed secret proves nothing about the family (the id is public in access tokens): keep the row.
    const fixedVerdict = await fixed.verify(parts.fixedSecret, row.fixedSecretHash)
    if (!fixedVerdict) throw new RefreshTokenInvalidSecretError()

    const presented = (await rotating.verify(parts.rotatingSecret, row.rotatingSecretHash)) !== null ? 'current'
      : (await this.#rotatedFrom(row, parts.rotatingSecret, next, now)) ? 'grace retry' : 'reuse'
    if (presented === 'reuse') throw await this.#revokeForReuse(row, row.rotatedAt, now, options)
    await requireActiveUser(this.#context.authUsers, row.authUserId)
    if (presented === 'grace retry') return { row, graceRetry: true, at: now }

    const rotated = await store.rotateRefreshToken({
      id: row.id, expectedHash: row.rotatingSecretHash, newHash: await rotating.hash(next), rotatedAt: now, gracePeriodMs: this.#rules.gracePeriod,
      // Live tokens leave old peppers behind within one refresh lifetime, so a fallback can be retired.
      ...(fixedVerdict === 'outdated' && { newFixedHash: await fixed.hash(parts.fixedSecret) }),
    })
    if (rotated) return { row: rotated, graceRetry: false, at: now }
    // Lost a race for this secret. Tables without a previous hash (Serverpod's) cannot answer the grace retry
    // in the swap: re-read, and if the winner rotated to this very successor inside the window, share its pair.
    const winner = this.#rules.gracePeriod === 0 ? null : await store.findRefreshToken(row.id)
    if (winner && (await this.#rotatedFrom(winner, parts.rotatingSecret, next, clock.at(winner.readAt)))) return { row: winner, graceRetry: true, at: now }
    // Strict mode, a winner outside the window, or a family revoked meanwhile: this secret is spent.
    throw await this.#revokeForReuse(row, winner?.rotatedAt ?? null, now, options)
  }

  /**
   * Whether `row` was last rotated from `presented` (to `next`, its derived successor) within the grace
   * period before `now`. With a stored previous hash that hash is checked; without one (Serverpod's tables)
   * the current hash is checked against the successor, which only a rotation from `presented` by this library produces.
   */
  async #rotatedFrom(row: RefreshTokenRow, presented: Uint8Array, next: Uint8Array, now: Date): Promise<boolean> {
    if (!(row.rotatedAt.getTime() + this.#rules.gracePeriod > now.getTime())) return false
    const { rotating } = this.#rules.hashers
    const previous = row.previousRotatingSecretHash
    return (await (previous !== null ? rotating.verify(presented, previous) : rotating.verify(next, row.rotatingSecretHash))) !== null
  }

  /**
   * Revokes the family of a replayed refresh token; returns the error to throw. Racing replays each delete:
   * only the one whose delete removed the row reports the reuse (a store that cannot tell: each).
   */
  async #revokeForReuse(row: RefreshTokenRow, rotatedAt: Date | null, now: Date, options: RefreshOptions | undefined): Promise<RefreshTokenReusedError> {
    if ((await this.#context.store.deleteRefreshToken(row.id)) !== false) this.#context.events?.reuseDetected(options, row, rotatedAt, now)
    return new RefreshTokenReusedError()
  }
}
