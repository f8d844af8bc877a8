import { timingSafeEqual } from '../crypto/bytes.ts'
import { ConfigError } from '../crypto/errors.ts'
import { toMilliseconds } from './duration.ts'
import { deepFreeze, Lru } from './lru.ts'
import type { RowFilter, SessionRow } from './storage.ts'
import type { AuthenticationInfo, Duration } from './types.ts'

/** `ServerSideSessionsConfig({ validationCache })`: how long another isolate's change may go unseen, and how many sessions to keep. */
export interface ValidationCacheOptions {
  /** How long a validated session is trusted without asking the database. Default 1 s, at most 60 s. */
  maxAge?: Duration
  /** Sessions kept per manager (least recently used go first). Default 1024. */
  size?: number
}

export interface ResolvedValidationCache {
  maxAgeMs: number
  size: number
}

/** The option, checked: `undefined` = off (the default: every validation asks the database). */
export function validationCacheOptions(options: ValidationCacheOptions | undefined): ResolvedValidationCache | null {
  if (options === undefined) return null
  const maxAgeMs = toMilliseconds(options.maxAge ?? '1s', 'validationCache.maxAge')
  if (maxAgeMs > 60_000) throw new ConfigError('validationCache.maxAge must be at most 60 seconds: it is how long a revocation may go unseen.')
  const size = options.size ?? 1024
  if (!Number.isInteger(size) || size < 1 || size > 1_000_000) throw new ConfigError('validationCache.size must be an integer from 1 to 1000000.')
  return { maxAgeMs, size }
}

/** What a hit needs: the session's rules (lifetime, inactivity) and the answer, never the stored hash. */
export type CachedSession = Omit<SessionRow, 'secretHash'>

interface Entry {
  /** The secret that was verified: a hit needs the same one, compared in constant time. */
  secret: Uint8Array
  session: CachedSession
  info: AuthenticationInfo
  /** When the database was last asked, on this isolate's clock. */
  readAtMs: number
  /** Database clock minus this isolate's clock at that read: hits judge expiry on the database's time. */
  databaseOffsetMs: number
  /** A read ahead of this entry's expiry is under way (one per entry). */
  revalidating: boolean
}

/**
 * Sessions this manager validated against the database in the last `maxAge`. A change made through this
 * manager (revoke, scopes) drops the entry before and after it reaches the database, and bumps a
 * generation: a validation whose read began before the change finishes without refilling the cache, so a
 * revoked session never comes back from a read that raced the revoke. Other isolates see the change when
 * their entry is older than `maxAge`. A hit on an entry past three quarters of `maxAge` asks for one read
 * ahead of its expiry, so a session in steady use is refreshed in the background and never waits.
 */
export class ValidatedSessions {
  readonly #entries: Lru<string, Entry>
  readonly #maxAgeMs: number
  #generation = 0

  constructor({ maxAgeMs, size }: ResolvedValidationCache) {
    this.#entries = new Lru(size)
    this.#maxAgeMs = maxAgeMs
  }

  /** Taken before the database read; `fill` keeps the result only if no change happened since. */
  get generation(): number {
    return this.#generation
  }

  /** The entry for this id and secret while it is younger than `maxAge`. */
  hit(id: string, secret: Uint8Array, nowMs: number): Entry | undefined {
    const entry = this.#entries.get(id)
    if (entry === undefined) return undefined
    if (!(nowMs - entry.readAtMs < this.#maxAgeMs && nowMs >= entry.readAtMs)) return void this.#entries.delete(id)
    return timingSafeEqual(secret, entry.secret) ? entry : undefined
  }

  /** True once per entry, when it has lived three quarters of `maxAge`: time to read it again, ahead of expiry. */
  claimRevalidation(entry: Entry, nowMs: number): boolean {
    if (entry.revalidating || (nowMs - entry.readAtMs) * 4 < this.#maxAgeMs * 3) return false
    entry.revalidating = true
    return true
  }

  fill(generation: number, id: string, secret: Uint8Array, fields: Omit<Entry, 'secret' | 'info' | 'revalidating'> & { info: AuthenticationInfo }): void {
    if (generation !== this.#generation) return
    this.#entries.set(id, { ...fields, secret: secret.slice(), info: deepFreeze(fields.info), revalidating: false })
  }

  /** Forgets a session a read found revoked, expired or changed. */
  drop(id: string): void {
    this.#entries.delete(id)
  }

  /** lastUsedAt as written by a hit, so the next hit knows the touch is done. */
  touched(id: string, lastUsedAt: Date): void {
    const entry = this.#entries.get(id)
    if (entry) entry.session = { ...entry.session, lastUsedAt }
  }

  /** Runs a change of the sessions `affected` selects, keeping them out of the cache while it is under way. */
  async change<T>(affected: (session: CachedSession) => boolean, write: () => Promise<T>): Promise<T> {
    this.#forget(affected)
    try {
      return await write()
    } finally {
      // Also after: a read that began between the first forget and the write's commit may have refilled.
      this.#forget(affected)
    }
  }

  #forget(affected: (session: CachedSession) => boolean): void {
    this.#generation++
    this.#entries.deleteWhere((entry) => affected(entry.session))
  }
}

/** The sessions a revoke-all filter names. */
export const sessionsMatching = (filter: RowFilter) => (session: CachedSession) =>
  (filter.authUserId === null || session.authUserId === filter.authUserId) && (filter.method === undefined || session.method === filter.method)
