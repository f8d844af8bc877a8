import type { Context } from 'hono'
import { ConfigError } from '../managers/errors.ts'
import type { AuthSuccess } from '../managers/types.ts'
import { clearCookie, tokenCookieLine } from './cookie-lines.ts'
import { crossSiteGuard, type CsrfOptions } from './cross-site.ts'

export interface TokenCookiesOptions {
  /** The session token's cookie. `Path=/`: every route authenticates with it. Default `"__Host-session"`. */
  session?: string
  /**
   * The refresh token's cookie. Default `"__Host-refresh"` (`Path=/`): no other host can set or shadow it.
   * A `__Secure-` or plain name can be scoped to the auth routes with `refreshPath`.
   */
  refresh?: string
  /** The refresh cookie's `Path`. Default `"/"`; a `__Host-` name needs `"/"`, a `__Secure-` one may use e.g. `"/auth"`. */
  refreshPath?: string
  /**
   * Cookie mode refuses cookie-setting and cookie-borne writes that another site started (sign-in, refresh,
   * sign-out): 403 `ERR_CROSS_SITE_REQUEST`. Widen it for a sibling front end, or `false` (see `CsrfOptions`).
   */
  csrf?: CsrfOptions
}

/**
 * Cookie mode: the long-lived token of a browser sign-in lives in an `HttpOnly` cookie, out of reach of
 * any script on the page, and response bodies carry only what a script may hold (a JWT's access token).
 * Made by `tokenCookies()`; pass it to `authRoutes` and answer your sign-in route with `respond`.
 */
export interface TokenCookies {
  readonly session: string
  readonly refresh: string
  readonly refreshPath: string
  readonly csrf: CsrfOptions | undefined
  /**
   * Refuses (403 `ERR_CROSS_SITE_REQUEST`) a write that another site started: the rule `respond`,
   * `authRoutes` and `authenticate({ cookies })` apply to every cookie-borne request. For an app's own
   * cookie-authenticated route that does not go through `authenticate`.
   */
  refuseCrossSite(c: Context): void
  /**
   * Answers a sign-in (or refresh) in cookie mode: sets the refresh token — or the session token — in its
   * cookie, clears the other kind's, and returns 200 with the `AuthSuccess` minus those tokens
   * (`refreshToken: null`; for a session also `token: null`) and `Cache-Control: no-store`. A sign-in that
   * another site started (login CSRF: the victim's browser signed in as the attacker) gets 403 instead.
   */
  respond(c: Context, authSuccess: AuthSuccess): Response
}

// RFC 6265 §4.1.1: a cookie name is an HTTP token; a path has no `;` and no control characters.
const cookieName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const cookiePath = /^\/[\x21-\x3a\x3c-\x7e]*$/
// A session without a lifetime gets the most browsers keep (the line is clamped to their 400 days).
const maxCookieMs = 400 * 24 * 60 * 60 * 1000
const noStore = { 'Cache-Control': 'no-store', Pragma: 'no-cache' }

/**
 * Cookie mode for browser apps (the pattern RFC 10017 ranks first): refresh tokens in a `__Host-` cookie
 * with `SameSite=Strict`, session tokens in a `__Host-` cookie with `SameSite=Lax` (a link from another
 * site still opens the app signed in), both `HttpOnly` and `Secure`, and no other host (a sibling
 * subdomain) can set or shadow either. Bearer clients (mobile, CLI, personal access tokens) keep working
 * on the same routes.
 *
 * @example
 * ```ts
 * const cookies = tokenCookies()
 * app.post('/sign-in', async (c) => {
 *   const userId = 'ada' // after your own credential check
 *   return cookies.respond(c, await guard(() => auth.tokenManager.issueToken({ authUserId: userId, method: 'password' })))
 * })
 * app.route('/auth', authRoutes(auth, { cookies }))                  // refresh and sign-out read and clear the cookies
 * app.use('/api/*', authenticate({ auth, cookies }))                 // sessions ride on their cookie
 * ```
 */
export function tokenCookies(options: TokenCookiesOptions = {}): TokenCookies {
  const session = options.session ?? '__Host-session'
  const refresh = options.refresh ?? '__Host-refresh'
  const refreshPath = (options.refreshPath ?? '/').replace(/(.)\/+$/, '$1')
  for (const name of [session, refresh]) {
    if (!cookieName.test(name)) throw new ConfigError(`tokenCookies: ${JSON.stringify(name)} is not a cookie name.`)
  }
  if (session === refresh) throw new ConfigError('tokenCookies: the session and refresh cookies need different names.')
  if (!cookiePath.test(refreshPath)) throw new ConfigError(`tokenCookies: refreshPath must be a path such as "/auth"; got ${JSON.stringify(refreshPath)}.`)
  // Browsers drop a __Host- cookie unless it has Path=/: the sign-in would silently not stick.
  if (/^__host-/i.test(refresh) && refreshPath !== '/') {
    throw new ConfigError(`tokenCookies: a __Host- cookie must have Path=/; name the refresh cookie __Secure-… to scope it to ${refreshPath}.`)
  }

  const refuseCrossSite = crossSiteGuard(options.csrf)
  return Object.freeze({
    session,
    refresh,
    refreshPath,
    csrf: options.csrf,
    refuseCrossSite,
    respond(c: Context, authSuccess: AuthSuccess): Response {
      refuseCrossSite(c)
      const isJwt = authSuccess.authStrategy === 'jwt'
      const [name, path, kept, other, otherPath] = isJwt
        ? [refresh, refreshPath, authSuccess.refreshToken, session, '/']
        : [session, '/', authSuccess.token, refresh, refreshPath]
      if (!kept) throw new ConfigError('tokenCookies.respond: this AuthSuccess carries no token to keep in a cookie.')
      const expires = (isJwt ? authSuccess.refreshTokenExpiresAt : authSuccess.tokenExpiresAt) ?? new Date(Date.now() + maxCookieMs)
      c.header('Set-Cookie', tokenCookieLine(name, kept, { path, expires, sameSite: isJwt ? 'Strict' : 'Lax' }), { append: true })
      // One sign-in per browser: a cookie left from an earlier sign-in of the other kind would outlive this one's sign-out.
      clearCookie(c, other, otherPath)
      return c.json({ ...authSuccess, refreshToken: null, ...(!isJwt && { token: null }) }, 200, noStore)
    },
  })
}

/** Clears both token cookies (sign-out). */
export function clearTokenCookies(c: Context, cookies: TokenCookies): void {
  clearCookie(c, cookies.session, '/')
  clearCookie(c, cookies.refresh, cookies.refreshPath)
}
