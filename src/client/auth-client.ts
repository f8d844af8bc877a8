import { millisecondsLeft, toAuthSuccessJson } from './auth-success.ts'
import { withServerClockOffset } from './clock-offset.ts'
import { webLocks } from './lock.ts'
import { requestRefresh, saysInvalidToken } from './protocol.ts'
import { memoryStorage } from './storage.ts'
import { dpopSender } from './dpop.ts'
import { dpopKeyFor } from './dpop-key.ts'
import { clientState, sameSignIn } from './state.ts'
import { pendingSignOut, tabMemoryStorage } from './tab-memory.ts'
import type { AuthClient, AuthClientOptions, AuthSuccessJson } from './types.ts'

/** How long a tab that waited for the refresh lock waits for the holder's result to reach its storage. */
const handoffWaitMs = 1_000

/**
 * Creates the client that keeps a user signed in against `authRoutes` / `authenticate`.
 *
 * The state is what `storage` holds: an `AuthSuccessJson` (signed in) or `null` (signed out).
 * - Before a call, a token with less than `refreshBefore` left is refreshed — measured on the server's
 *   clock, whose offset from this device's is estimated at each sign-in and refresh (`withServerClockOffset`),
 *   so a device clock hours off neither refreshes on every call nor never; concurrent calls share one
 *   refresh, and with shared storage (`localStorageStorage`) tabs take turns under a lock and reuse the
 *   winner's result instead of refreshing again.
 * - After a 401: if the token changed meanwhile, retry with the new one; else refresh once and retry once.
 *   A session token (no refresh token) answered 401 `invalid_token` is dead.
 * - A dead token (refresh answered 400 `invalid_grant`) clears storage and calls `onSignedOut` once.
 * - With `dpop: true`, every request under `baseUrl` and every refresh carries a DPoP proof of the client's
 *   own non-extractable key, and a bound token goes as `Authorization: DPoP`.
 *   Network errors and 5xx keep the user signed in; the call goes out with the current token.
 *
 * @example
 * ```ts
 * import { createAuthClient, localStorageStorage } from 'edge-token-managers/client'
 *
 * const client = createAuthClient({
 *   baseUrl: location.origin,
 *   storage: localStorageStorage(),
 *   onSignedOut: () => location.assign('/sign-in'),
 * })
 * client.signIn(await (await fetch('/sign-in', { method: 'POST', body })).json())
 * const tokens = await (await client.fetch('/auth/tokens')).json()
 * ```
 */
export function createAuthClient(options: AuthClientOptions): AuthClient {
  const cookieMode = options.mode === 'cookie'
  if (cookieMode && options.storage) throw new TypeError('createAuthClient: cookie mode keeps the access token in memory; leave out `storage`')
  const refreshBefore = options.refreshBefore ?? 30_000
  const clock = options.clock ?? (() => new Date())
  const send = options.fetch ?? ((request: Request) => globalThis.fetch(request))
  const lock = options.lock ?? webLocks()
  const base = new URL(options.baseUrl)
  const basePath = base.pathname.replace(/\/+$/, '')
  const authPath = (options.authPath ?? '/auth').replace(/\/+$/, '')
  const channel = `edge-token-managers.auth:${base.origin}${basePath}`
  const storage = options.storage ?? (cookieMode ? tabMemoryStorage(channel) : memoryStorage())
  const signOutPending = pendingSignOut(channel)
  if (options.dpop && cookieMode) throw new TypeError('createAuthClient: dpop binds tokens the client holds; it needs bearer mode')
  // One key per API, shared by the origin's tabs like the sign-in bound to it.
  const dpop = options.dpop ? dpopSender(dpopKeyFor(channel), send, clock) : null
  // Cookie mode: the refresh token is the server's cookie, so every JWT sign-in can refresh.
  const refreshable = (value: AuthSuccessJson) => (cookieMode ? value.authStrategy === 'jwt' : value.refreshToken !== null)
  const state = clientState(storage, options.onSignedOut)
  let refreshing: Promise<AuthSuccessJson | null> | null = null

  /**
   * Resolves to the sign-in to use next: refreshed, someone else's newer one, the same (server unreachable),
   * or null (dead). `stale === null`: cookie mode's resume, which has nothing yet but the server's cookie.
   */
  function refresh(stale: AuthSuccessJson | null): Promise<AuthSuccessJson | null> {
    refreshing ??= refreshUnderLock(stale).finally(() => void (refreshing = null))
    return refreshing
  }

  function refreshUnderLock(stale: AuthSuccessJson | null): Promise<AuthSuccessJson | null> {
    const task = async ({ waited }: { waited: boolean }) => {
      // Another tab held the lock, so it probably refreshed; browsers pass localStorage between tabs
      // asynchronously (Chromium: after the lock), so give its result a moment to arrive.
      if (waited && sameSignIn(state.read(), stale)) await changeFrom(stale, handoffWaitMs)
      const current = state.notify()
      // Another tab refreshed (or signed out) while we waited for the lock: take its result.
      if (!sameSignIn(current, stale) || (current !== null && !refreshable(current))) return current
      const sentAt = clock().getTime()
      const refreshSend = dpop ? (request: Request) => dpop.send(request, null, current?.serverClockOffsetMs) : send
      const outcome = await requestRefresh(refreshSend, authUrl('/refresh'), cookieMode ? null : current!.refreshToken)
      // Compare-and-set: a sign-out or sign-in that happened meanwhile wins over this result.
      if (!sameSignIn(state.read(), current)) return state.notify()
      if (outcome.kind === 'refreshed') {
        const receipt = { sentAt, receivedAt: clock().getTime(), serverDate: outcome.serverDate }
        return state.write(withServerClockOffset(outcome.authSuccess, receipt, current?.serverClockOffsetMs))
      }
      if (outcome.kind === 'dead') return state.clear('rejected', outcome.code)
      return current
    }
    return storage.sharedAs ? lock.run(`edge-token-managers.refresh:${storage.sharedAs}`, task) : task({ waited: false })
  }

  /** Resolves when storage holds a sign-in other than `from` (another tab's write arrived), or after `ms`. */
  function changeFrom(from: AuthSuccessJson | null, ms: number): Promise<void> {
    if (!storage.subscribe) return Promise.resolve()
    return new Promise((resolve) => {
      let unsubscribe = () => {}
      const done = () => {
        clearTimeout(timer)
        unsubscribe()
        resolve()
      }
      const timer = setTimeout(done, ms)
      unsubscribe = storage.subscribe!(() => {
        if (!sameSignIn(state.read(), from)) done()
      })
    })
  }

  async function authorizedFetch(pathOrUrl: string | URL, init?: RequestInit): Promise<Response> {
    const request = new Request(resolve(pathOrUrl), init)
    // The token goes only to our own API, never to a third-party URL passed here.
    if (!isUnderBase(new URL(request.url))) return send(request)

    let sent = state.notify()
    let refreshed = false
    if (sent && refreshable(sent) && millisecondsLeft(sent, clock().getTime()) < refreshBefore) {
      sent = await refresh(sent)
      refreshed = true
    }
    const response = await sendWith(request, sent)
    if (response.status !== 401 || sent === null) return response

    const current = state.notify()
    if (current !== null && !sameSignIn(current, sent)) return sendWith(request, current)
    if (current !== null && refreshable(current) && !refreshed) {
      const next = await refresh(current)
      return next && !sameSignIn(next, sent) ? sendWith(request, next) : response
    }
    if (current !== null && !refreshable(current) && (await saysInvalidToken(response))) state.clear('rejected')
    return response
  }

  function sendWith(request: Request, authSuccess: AuthSuccessJson | null): Promise<Response> {
    // Cookie mode: the session (or, on the auth routes, refresh) cookie rides along, also to a sibling API origin.
    const attempt = cookieMode ? new Request(request.clone(), { credentials: 'include' }) : request.clone()
    const token = authSuccess?.token ?? null
    // A bound token goes with the DPoP scheme (RFC 9449 §7.1); every request to the API carries a proof.
    if (token) attempt.headers.set('authorization', `${dpop && authSuccess!.dpopJkt ? 'DPoP' : 'Bearer'} ${token}`)
    return dpop ? dpop.send(attempt, token, authSuccess?.serverClockOffsetMs) : send(attempt)
  }

  function resolve(pathOrUrl: string | URL): string {
    if (pathOrUrl instanceof URL || /^[a-z][a-z\d+.-]*:/i.test(pathOrUrl)) return String(pathOrUrl)
    return `${base.origin}${basePath}${pathOrUrl.startsWith('/') ? '' : '/'}${pathOrUrl}`
  }

  function isUnderBase(url: URL): boolean {
    return url.origin === base.origin && (url.pathname === basePath || url.pathname.startsWith(`${basePath}/`))
  }

  function authUrl(path: string): string {
    return resolve(`${authPath}${path}`)
  }

  async function signOut({ everywhere = false } = {}): Promise<boolean> {
    let confirmed = false
    // Cookie mode signs out on the server even before `resume()`: only the server can clear the cookie.
    if (state.notify() || cookieMode) {
      let reached = false
      try {
        const response = await authorizedFetch(authUrl(everywhere ? '/sign-out-all' : '/sign-out'), { method: 'POST' })
        confirmed = response.ok
        reached = response.status < 500
      } catch {
        // Unreachable server: the local sign-out below still happens.
      }
      if (cookieMode) signOutPending.set(!reached)
    }
    state.clear('signOut')
    return confirmed
  }

  storage.subscribe?.(() => state.notify())

  return {
    fetch: authorizedFetch,
    signIn(authSuccess) {
      const value = toAuthSuccessJson(authSuccess)
      if (!value) throw new TypeError('signIn expects an AuthSuccess (authStrategy, token, tokenExpiresAt, refreshToken, authUserId, tokenId)')
      // A value that already carries an estimate (another client's `authSuccess`) keeps it.
      state.write(value.serverClockOffsetMs === undefined ? withServerClockOffset(value, { receivedAt: clock().getTime() }) : value)
    },
    signOut,
    async resume() {
      if (!cookieMode) return state.notify()
      if (signOutPending.get()) {
        await signOut()
        return null
      }
      return state.notify() ?? refresh(null)
    },
    get authSuccess() {
      return state.read()
    },
    onChange: (listener) => state.onChange(listener),
  }
}
