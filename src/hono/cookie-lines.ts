// The Set-Cookie lines of cookie mode: the token cookies, their deletion, and the eviction of copies that
// another host planted under the same name. Serialized by Hono's own cookie serializer: `serialize` from
// `hono/utils/cookie` is what `setCookie` uses across the supported range (`generateCookie` in
// `hono/cookie` only arrived in a later 4.x), and it enforces the `__Host-`/`__Secure-` rules.
import type { Context } from 'hono'
import { serialize } from 'hono/utils/cookie'

export type SameSite = 'Strict' | 'Lax'

// Browsers cap a cookie's lifetime at 400 days (RFC 6265bis §5.5), and Hono's serializer refuses more.
const maxLifetimeMs = 400 * 24 * 60 * 60 * 1000
// Margin for the clock read inside the serializer, a moment after ours.
const clampMarginMs = 60_000

const isPrefixed = (name: string) => /^__(host|secure)-/i.test(name)

/**
 * One `Set-Cookie` value for a token cookie: always `HttpOnly` (no script may read it) and `Secure`
 * (browsers accept `__Host-`/`__Secure-` names only with it, and treat `localhost` as secure). It lives
 * until `expires` — a date the token's manager computed, so no second clock is involved — clamped to
 * the 400 days browsers keep a cookie. Never a `Domain`: the cookie belongs to this host alone.
 *
 * @example
 * ```ts
 * tokenCookieLine('__Host-session', token, { path: '/', expires: info.tokenExpiresAt, sameSite: 'Lax' })
 * ```
 */
export function tokenCookieLine(name: string, value: string, options: { path: string; expires: Date; sameSite: SameSite }): string {
  const latest = Date.now() + maxLifetimeMs - clampMarginMs
  const expires = options.expires.getTime() > latest ? new Date(latest) : options.expires
  return serialize(name, value, { path: options.path, expires, httpOnly: true, secure: true, sameSite: options.sameSite })
}

/**
 * The line that deletes cookie `name` stored at `path` (and, with `domain`, the copy set with that
 * `Domain`; without, this host's own). Prefixed names are deleted only by a `Secure` line; an app's own
 * plain cookie, maybe set over http in development, only by one without (over https either works).
 *
 * @example
 * ```ts
 * c.header('Set-Cookie', clearingLine('session', '/'), { append: true })
 * ```
 */
export function clearingLine(name: string, path: string, domain?: string): string {
  return serialize(name, '', { path, maxAge: 0, ...(domain !== undefined && { domain }), httpOnly: true, secure: isPrefixed(name), sameSite: 'Lax' })
}

/**
 * Clears cookie `name` (set with `path`) in this request's response; returns the lines too, for an error
 * response, which replaces the context's headers.
 *
 * @example
 * ```ts
 * throw httpError('ERR_TOKEN_INVALID', { setCookie: clearCookie(c, 'session', '/') })
 * ```
 */
export function clearCookie(c: Context, name: string, path: string): string[] {
  const line = clearingLine(name, path)
  c.header('Set-Cookie', line, { append: true })
  return [line]
}

/**
 * The paths whose cookies a browser sends with a request to `path` (RFC 6265 §5.1.4): its ancestors and itself.
 *
 * @example
 * ```ts
 * matchingCookiePaths('/auth/refresh') // ['/', '/auth', '/auth/', '/auth/refresh']
 * ```
 */
export function matchingCookiePaths(path: string): string[] {
  const paths = new Set(['/'])
  for (let slash = path.indexOf('/', 1); slash !== -1; slash = path.indexOf('/', slash + 1)) {
    paths.add(path.slice(0, slash)).add(path.slice(0, slash + 1))
  }
  paths.add(path)
  return [...paths]
}

/**
 * The `Domain` values a cookie sent to `host` can have: the host and each parent of two labels or more.
 *
 * @example
 * ```ts
 * matchingCookieDomains('app.example.com') // ['app.example.com', 'example.com']
 * ```
 */
export function matchingCookieDomains(host: string): string[] {
  // An IP address has no parent domains, and a single label (localhost) takes no Domain cookies.
  if (/^[\d.]+$/.test(host) || host.includes(':') || !host.includes('.')) return []
  const labels = host.split('.')
  return labels.slice(0, -1).map((_, i) => labels.slice(i).join('.'))
}

/**
 * The lines that delete every copy of `name` a browser could send along with this host's own (the one at
 * `ownPath`, host-only, which stays): each `Domain` that matches the request's host, at each path that
 * matches its path, and host-only copies at those paths other than `ownPath`. A host may delete cookies of
 * its parent domains, which is how a copy a sibling subdomain planted is removed. `__Host-` names have no
 * such copies: browsers refuse them with a `Domain` or another path.
 *
 * @example
 * ```ts
 * const lines = shadowEvictionLines(new URL(c.req.url), '__Secure-refresh', '/auth')
 * ```
 */
export function shadowEvictionLines(url: URL, name: string, ownPath: string): string[] {
  if (/^__host-/i.test(name)) return []
  const paths = matchingCookiePaths(url.pathname)
  const lines = matchingCookieDomains(url.hostname).flatMap((domain) => paths.map((path) => clearingLine(name, path, domain)))
  for (const path of paths) if (path !== ownPath) lines.push(clearingLine(name, path))
  return lines
}
