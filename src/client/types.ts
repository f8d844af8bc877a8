/**
 * An `AuthSuccess` as the server sends it (`POST /auth/refresh`, the app's sign-in route): dates are ISO
 * strings. `tokenExpiresAt` is `null` for a session without a lifetime; `refreshToken` is `null` for a
 * server-side session, which cannot be refreshed, and in cookie mode, where it lives in an HttpOnly cookie.
 *
 * @example
 * ```ts
 * const authSuccess: AuthSuccessJson = await (await fetch('/sign-in', { method: 'POST' })).json()
 * client.signIn(authSuccess)
 * ```
 */
export interface AuthSuccessJson {
  authStrategy: 'jwt' | 'session'
  /** The access token (JWT) or session token. `null` for a session in cookie mode: its token is in an HttpOnly cookie. */
  token: string | null
  tokenExpiresAt: string | null
  refreshToken: string | null
  authUserId: string
  scopeNames: string[]
  tokenId: string
  jwtRefreshTokenId?: string
  /** Set by the server for a DPoP-bound sign-in: the key's thumbprint. The client then sends `Authorization: DPoP`. */
  dpopJkt?: string
  /**
   * Set by the client, never by the server: the server's clock minus this device's (ms), estimated when
   * this AuthSuccess arrived. Absent when unknown (treated as 0). Stored with the rest, so tabs agree.
   */
  serverClockOffsetMs?: number
}

/**
 * Why the client went from signed in to signed out:
 * - `'signOut'`: `client.signOut()` was called in this client;
 * - `'rejected'`: the server said the token is dead (refresh answered 400 `invalid_grant`, or a session
 *   token answered 401 `invalid_token`);
 * - `'elsewhere'`: the shared storage was cleared by someone else (another tab signed out).
 *
 * @example
 * ```ts
 * createAuthClient({ baseUrl, onSignedOut: ({ reason }) => reason !== 'signOut' && showToast('Session ended') })
 * ```
 */
export type SignOutReason = 'signOut' | 'rejected' | 'elsewhere'

/**
 * Where the client keeps the current `AuthSuccessJson`. Synchronous, so `client.authSuccess` is a plain
 * read; wrap an asynchronous store in a cache that you load before creating the client.
 *
 * @example
 * ```ts
 * // A storage that keeps the session in sessionStorage (one tab, survives reloads).
 * const storage: AuthStorage = {
 *   get: () => JSON.parse(sessionStorage.getItem('auth') ?? 'null'),
 *   set: (value) => value ? sessionStorage.setItem('auth', JSON.stringify(value)) : sessionStorage.removeItem('auth'),
 * }
 * ```
 */
export interface AuthStorage {
  get(): AuthSuccessJson | null
  /** `null` clears. */
  set(value: AuthSuccessJson | null): void
  /** Calls `listener` when someone else (another tab) changes the value. Returns the unsubscribe. */
  subscribe?(listener: () => void): () => void
  /**
   * Set when other tabs see the same value (localStorage): names the cross-tab refresh lock, so only
   * one tab refreshes and the others read its result. Leave unset for per-tab storage.
   */
  sharedAs?: string
}

/**
 * Runs `task` while no other holder of the lock `name` runs (in any tab). `task` learns whether it ran
 * right after another holder released the lock: then another tab probably refreshed, and its result may
 * still be on its way to this tab's storage. Must never wait forever: after a bounded wait it runs `task` anyway (the server's rotation
 * grace window absorbs the rare overlap).
 *
 * @example
 * ```ts
 * const noLock: RefreshLock = { run: (_name, task) => task({ waited: false }) }
 * createAuthClient({ baseUrl, storage: localStorageStorage(), lock: noLock })
 * ```
 */
export interface RefreshLock {
  run<T>(name: string, task: (context: { waited: boolean }) => Promise<T>): Promise<T>
}

/**
 * Options of `createAuthClient`.
 *
 * @example
 * ```ts
 * const options: AuthClientOptions = { baseUrl: location.origin, storage: localStorageStorage(), onSignedOut: () => location.assign('/sign-in') }
 * ```
 */
export interface AuthClientOptions {
  /** The API's origin (and base path), e.g. `location.origin` or `'https://api.example.com/v1'`. */
  baseUrl: string
  /** Where `authRoutes` is mounted. Default `'/auth'`. */
  authPath?: string
  /**
   * `'bearer'` (default): the client holds the whole sign-in in `storage` and sends `Authorization: Bearer`.
   * `'cookie'`: for a browser app on the same site as its API, served by `authRoutes` with `tokenCookies()`.
   * The refresh or session token stays in an HttpOnly cookie no script can read; the access token lives
   * in memory only, shared by the origin's tabs. Call `resume()` when the page loads.
   */
  mode?: 'bearer' | 'cookie'
  /**
   * Bearer mode only. Default `memoryStorage()` (lost on reload). In a browser, `localStorageStorage()`
   * shares across tabs. Cookie mode keeps the access token in tab memory, so passing this is an error.
   */
  storage?: AuthStorage
  /** Called once per transition from signed in to signed out. Redirect to the sign-in page here. */
  /**
   * `code`, with `reason: 'rejected'` after a refresh: the server's error code, e.g.
   * `ERR_REFRESH_TOKEN_REUSED` when an old refresh token was presented again and every token of this
   * sign-in was revoked (tell the user their session may have been stolen), `ERR_REFRESH_TOKEN_EXPIRED`.
   */
  onSignedOut?: (event: { reason: SignOutReason; code?: string }) => void
  /** Refresh when less than this many milliseconds remain before the access token expires. Default 30 000. */
  refreshBefore?: number
  /** The fetch to send requests with. Default `globalThis.fetch`. */
  fetch?: (request: Request) => Promise<Response>
  /** The time source. Default `() => new Date()`. */
  clock?: () => Date
  /** Cross-tab refresh lock. Default: Web Locks where available (bounded wait), else none. */
  lock?: RefreshLock
  /**
   * DPoP (RFC 9449), bearer mode only: the client makes a non-extractable ES256 key (kept in IndexedDB in
   * browsers, in memory elsewhere), puts a proof on every request under `baseUrl` and every refresh, and
   * retries once when the server asks for a nonce. A server with `JwtConfig({ dpop })` then binds the
   * sign-in to the key: a stolen token or refresh token is useless without it. Sign in through
   * `client.fetch` so the sign-in request carries a proof too.
   */
  dpop?: boolean
}

/**
 * The object `createAuthClient` returns.
 *
 * @example
 * ```ts
 * const response = await client.fetch('/api/me')
 * const off = client.onChange((authSuccess) => render(authSuccess))
 * await client.signOut({ everywhere: true })
 * ```
 */
export interface AuthClient {
  /**
   * `fetch` with `Authorization: Bearer <token>` (only for URLs under `baseUrl`). Refreshes first when
   * the token is about to expire; after a 401, refreshes once and retries once.
   */
  fetch(pathOrUrl: string | URL, init?: RequestInit): Promise<Response>
  /**
   * Stores a sign-in result (dates may be `Date`s or ISO strings). Call it as the result arrives: a JWT's
   * `iat` then tells this device's clock skew, and a result more than ~10 s old would pass its age off as skew.
   */
  signIn(authSuccess: AuthSuccessInput): void
  /**
   * Revokes this token (`everywhere`: all of the user's tokens) on the server, then clears local state —
   * even when the server is unreachable. Resolves `true` when the server confirmed. In cookie mode the
   * server also clears the cookie; when it was unreachable, the next `resume()` completes the sign-out.
   */
  signOut(options?: { everywhere?: boolean }): Promise<boolean>
  /**
   * Picks up the sign-in this browser already has; call it once when the page loads. Cookie mode asks the
   * server (the page cannot read the cookie): a refresh for a JWT, a report for a session — or finishes a
   * sign-out that was made offline. Bearer mode reads `storage`. Resolves to the sign-in, or `null`.
   */
  resume(): Promise<AuthSuccessJson | null>
  /** The current sign-in, or `null`. */
  readonly authSuccess: AuthSuccessJson | null
  /** Called with the new value after every change (sign-in, refresh, sign-out, another tab). */
  onChange(listener: (authSuccess: AuthSuccessJson | null) => void): () => void
}

/**
 * What `signIn` accepts: the JSON form, or a server-side `AuthSuccess` whose expiry is a `Date`.
 *
 * @example
 * ```ts
 * client.signIn({ ...authSuccess, tokenExpiresAt: new Date(Date.now() + 600_000) })
 * ```
 */
export type AuthSuccessInput = Omit<AuthSuccessJson, 'tokenExpiresAt'> & { tokenExpiresAt: string | Date | null }
