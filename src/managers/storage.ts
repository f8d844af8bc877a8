import type { TokenFormats } from './formats.ts'
import type { AuthUsers } from './types.ts'

/**
 * The storage port: what the managers need from a database. `edge-token-managers/drizzle` implements it
 * for any Drizzle Postgres database, `edge-token-managers/sqlite` for any Drizzle SQLite database (D1
 * included); the managers never see SQL.
 */

/** A stored refresh token. Secrets are only ever stored as peppered hashes. */
export interface RefreshTokenRow {
  id: string
  authUserId: string
  method: string
  scopes: string[]
  extraClaims: Record<string, unknown> | null
  fixedSecretHash: Uint8Array
  rotatingSecretHash: Uint8Array
  /** Hash of the rotating secret before the last rotation: lets a retry inside the grace window succeed. */
  previousRotatingSecretHash: Uint8Array | null
  /**
   * RFC 7638 thumbprint of the DPoP key the token is bound to: it refreshes only with a proof of that key.
   * `null` (or absent, in stores without the column) when unbound.
   */
  dpopJkt?: string | null
  createdAt: Date
  /** Last rotation (or creation). The refresh token expires `refreshTokenLifetime` after it. */
  rotatedAt: Date
}

/**
 * The database's clock at the moment a row was read (`statement_timestamp()` on Postgres,
 * `unixepoch('subsec')` on SQLite). Every isolate shares it, so
 * stateful rules (grace window, inactivity, expiry of stored tokens) are decided on it, not on the clock of
 * whichever app server handles the request — and it is taken when the request reaches the database, so the
 * request's own latency after that does not count against a window.
 */
export interface Read {
  readAt: Date
}

/**
 * A row to insert. It was created, last rotated and last used at one instant, `createdAt`; `null` stamps it
 * with the database's clock.
 */
export type NewRow<Row> = Omit<Row, 'createdAt' | 'rotatedAt' | 'lastUsedAt'> & { createdAt: Date | null }

/** A stored server-side session. */
export interface SessionRow {
  id: string
  authUserId: string
  method: string
  scopes: string[]
  secretHash: Uint8Array
  createdAt: Date
  lastUsedAt: Date
  expiresAt: Date | null
  /** Inactivity timeout in milliseconds, or null for none. */
  expireAfterUnusedFor: number | null
  /** RFC 7638 thumbprint of the DPoP key the session is bound to; null (or absent) when unbound. */
  dpopJkt?: string | null
}

export interface RowFilter {
  /** null = every user. */
  authUserId: string | null
  method?: string
}

/** Options for inserting a token row. */
export interface InsertOptions<TDb> {
  /** App writes (e.g. Drizzle inserts into a metadata table) that must commit with the row or not at all. */
  writes?: readonly unknown[]
  /** An open transaction to write through instead of the store's database. */
  transaction?: TDb
}

/** Compare-and-swap of the rotating secret; see `TokenStore.rotateRefreshToken`. */
export interface RotateRefreshToken {
  id: string
  /** The rotating hash as read (or, unread, as the presented secret hashes): the swap happens only if it is current. */
  expectedHash: Uint8Array
  newHash: Uint8Array
  /**
   * Also require this fixed hash and refuse expired rows: a refresh that did not read the row first, which
   * deterministic hashes allow (see `SecretHashing.deterministic`). The caller reads only when this misses.
   */
  unread?: {
    fixedHash: Uint8Array
    lifetimeMs: number
    /** The request's DPoP key: the row must be unbound or bound to it (`null`: unbound only). Absent: not checked. */
    dpopJkt?: string | null
  }
  /** Set when the fixed secret matched only a fallback pepper: re-hashed under the primary in the same swap. */
  newFixedHash?: Uint8Array
  /** The rotation's time; null: the database's clock when the statement runs. */
  rotatedAt: Date | null
  /**
   * If another caller already rotated from `expectedHash` less than this long before `rotatedAt`, the row is
   * returned unchanged (idempotent retry inside the grace window) instead of failing. 0 = strict mode: a
   * secret is good for exactly one rotation, whoever comes second gets null.
   */
  gracePeriodMs: number
}

/** Everything a store must do. All methods throw `StorageUnavailableError` when the database fails. */
export interface TokenStore<TDb = unknown> {
  /** The database handle passed to `onRefreshTokenCreated` / `onSessionCreated`. */
  readonly db: TDb
  /** The token strings and stored hashes these tables hold; absent = this library's own (`defaultFormats`). */
  readonly formats?: TokenFormats
  /** Users (blocked flag, default scopes) kept beside these tables; used when `initializeAuthServices` gets no `authUsers`. */
  readonly authUsers?: AuthUsers
  insertRefreshToken(row: NewRow<RefreshTokenRow>, options?: InsertOptions<TDb>): Promise<void>
  findRefreshToken(id: string): Promise<(RefreshTokenRow & Read) | null>
  /**
   * Atomically: if the row's rotating hash is `expectedHash`, replace it with `newHash` (keeping the old one
   * as previous) and return the updated row; else if its previous hash is `expectedHash` and it was rotated
   * less than `gracePeriodMs` before `rotatedAt` (never when it is 0), return it unchanged; else return null.
   * With `unread`, a row whose fixed hash differs or that has expired is never matched.
   */
  rotateRefreshToken(rotation: RotateRefreshToken): Promise<(RefreshTokenRow & Read) | null>
  /** Resolves true when it deleted a row, false when none had this id (a store that cannot tell resolves nothing). */
  deleteRefreshToken(id: string): Promise<boolean | void>
  deleteRefreshTokens(filter: RowFilter): Promise<void>
  listRefreshTokens(filter: RowFilter): Promise<(RefreshTokenRow & Read)[]>
  /** Deletes refresh tokens last rotated `lifetimeMs` or longer before `now` (null: the database's clock); returns how many. */
  deleteExpiredRefreshTokens(lifetimeMs: number, now: Date | null): Promise<number>

  insertSession(row: NewRow<SessionRow>, options?: InsertOptions<TDb>): Promise<void>
  findSession(id: string): Promise<(SessionRow & Read) | null>
  /** Sets lastUsedAt = `at` only if the stored value is older than `ifUnusedSince` (one write per interval, even under races). */
  touchSession(id: string, at: Date, ifUnusedSince: Date): Promise<void>
  /** Returns false when no session has this id. */
  updateSession(id: string, changes: { scopes?: string[]; secretHash?: Uint8Array }): Promise<boolean>
  deleteSession(id: string): Promise<void>
  deleteSessions(filter: RowFilter): Promise<void>
  listSessions(filter: RowFilter): Promise<(SessionRow & Read)[]>
  /**
   * Deletes sessions past `expiresAt`, or unused for their inactivity timeout plus the slack the throttled
   * `lastUsedAt` needs (`least(maxTouchIntervalMs, timeout / touchIntervalDivisor)`), at `now` (null: the
   * database's clock); returns how many.
   */
  deleteExpiredSessions(now: Date | null, touch: { maxTouchIntervalMs: number; touchIntervalDivisor: number }): Promise<number>
}
