// What credential a request presents, in one place for `authenticate`, refresh and sign-out: a Bearer
// header, else a token cookie. A request without a Bearer credential (no header, or another scheme such
// as Basic or Negotiate, which browsers attach on their own) rides on its cookies, so the cross-site rule
// applies to it; and a cookie name the browser sent twice is trusted in neither copy.
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { shadowEvictionLines } from './cookie-lines.ts'
import { cookieValues } from './cookie-header.ts'
import { httpError } from './errors.ts'
import type { TokenCookies } from './token-cookies.ts'

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const bearerCredentials = /^[A-Za-z0-9\-._~+/]+=*$/

/** Marks the retry after an eviction, so copies that would not go away cannot cause a redirect loop. */
export const evictedMarker = 'shadow-cookies-evicted'

/**
 * The token of an `Authorization: Bearer` header (RFC 6750 §2.1); `null` for no header or another scheme
 * (RFC 6750 §3.1 treats Basic and the like as "no token"). A malformed Bearer header is a 400.
 *
 * @example
 * ```ts
 * const token = bearerToken(c, 'api') // 'eyJ…' | null
 * ```
 */
export function bearerToken(c: Context, realm: string): string | null {
  const header = c.req.header('authorization')?.trim()
  if (!header) return null
  const space = header.search(/\s/)
  const scheme = space === -1 ? header : header.slice(0, space)
  if (scheme.toLowerCase() !== 'bearer') return null
  const credentials = space === -1 ? '' : header.slice(space).trim()
  if (!bearerCredentials.test(credentials)) throw httpError('ERR_AUTHORIZATION_MALFORMED', { realm })
  return credentials
}

/**
 * The value of the `kind` token cookie, or `null` if the request has none. A request that carries it is
 * cookie-authenticated: a write another site started is refused here (403). A name sent twice means
 * another host planted a copy, and which one is this host's own cannot be told: neither is used. The
 * answer is a 307 to the same URL that deletes every planted copy (this host's own cookie stays), so the
 * browser repeats the request with its own cookie alone. Should copies remain after that, the request
 * counts as carrying no cookie.
 *
 * @example
 * ```ts
 * const refreshToken = tokenCookie(c, cookies, 'refresh')
 * ```
 */
export function tokenCookie(c: Context, cookies: TokenCookies, kind: 'session' | 'refresh'): string | null {
  const header = c.req.header('cookie')
  const values = cookieValues(header, cookies[kind])
  if (values.length === 0) return null
  cookies.refuseCrossSite(c)
  if (values.length === 1) return values[0]!
  const url = new URL(c.req.url)
  // Both token cookies at once: one round trip cleans the request whichever cookie is read next.
  const evictions = (['session', 'refresh'] as const)
    .filter((k) => cookieValues(header, cookies[k]).length > 1)
    .flatMap((k) => shadowEvictionLines(url, cookies[k], k === 'session' ? '/' : cookies.refreshPath))
  if (evictions.length === 0 || url.searchParams.has(evictedMarker)) return null
  const headers = new Headers({ Location: `${url.pathname}${url.search ? `${url.search}&` : '?'}${evictedMarker}`, 'Cache-Control': 'no-store' })
  for (const line of evictions) headers.append('Set-Cookie', line)
  throw new HTTPException(307, { res: new Response(null, { status: 307, headers }), message: 'ERR_COOKIE_AMBIGUOUS' })
}

/**
 * The credential a request presents: a Bearer token, else (with `cookies`) the session cookie.
 *
 * @example
 * ```ts
 * const presented = presentedCredential(c, cookies, 'api') // { token, fromCookie } | null
 * ```
 */
export function presentedCredential(c: Context, cookies: TokenCookies | undefined, realm: string): { token: string; fromCookie: boolean } | null {
  const bearer = bearerToken(c, realm)
  if (bearer !== null) return { token: bearer, fromCookie: false }
  const token = cookies ? tokenCookie(c, cookies, 'session') : null
  return token === null ? null : { token, fromCookie: true }
}
