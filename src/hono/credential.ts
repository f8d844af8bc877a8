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
const evictedMarker = 'shadow-cookies-evicted'

/**
 * The token of an `Authorization: Bearer` or `Authorization: DPoP` header (RFC 9449 §7.1: the same
 * token68 syntax), with which scheme carried it; `null` for no header or another scheme. Malformed: 400.
 *
 * @example
 * ```ts
 * const presented = authorizationToken(c, 'api') // { token: 'eyJ…', dpop: true } | null
 * ```
 */
export function authorizationToken(c: Context, realm: string): { token: string; dpop: boolean } | null {
  const header = c.req.header('authorization')?.trim()
  if (!header) return null
  const space = header.search(/\s/)
  const scheme = (space === -1 ? header : header.slice(0, space)).toLowerCase()
  if (scheme !== 'bearer' && scheme !== 'dpop') return null
  const credentials = space === -1 ? '' : header.slice(space).trim()
  if (!bearerCredentials.test(credentials)) throw httpError('ERR_AUTHORIZATION_MALFORMED', { realm })
  return { token: credentials, dpop: scheme === 'dpop' }
}

/** The token cookies a request carries, each `null` when absent or not to be trusted. */
export interface TokenCookieValues {
  session: string | null
  refresh: string | null
}

const kinds = ['session', 'refresh'] as const
const isHostPrefixed = (name: string) => /^__host-/i.test(name)

/**
 * The token cookies of this request. One that is present makes the request cookie-authenticated: a write
 * another site started is refused here (403). Copies another host planted are told apart from this
 * host's own where the browser gives them away: a name sent twice, or both kinds at once (`respond` keeps
 * one kind only) unless only one of them can be planted at all (`__Host-`). Which copy is this host's own
 * cannot be told, so none is used: the answer is a 307 to the same URL that deletes every copy but this
 * host's own cookies, and the browser repeats the request with those alone. Should copies remain after
 * that, the ambiguous names count as absent (and a `__Host-` cookie wins over one of the other kind).
 *
 * @example
 * ```ts
 * const { session, refresh } = tokenCookieValues(c, cookies)
 * ```
 */
export function tokenCookieValues(c: Context, cookies: TokenCookies): TokenCookieValues {
  const header = c.req.header('cookie')
  const values = { session: cookieValues(header, cookies.session), refresh: cookieValues(header, cookies.refresh) }
  if (values.session.length === 0 && values.refresh.length === 0) return { session: null, refresh: null }
  cookies.refuseCrossSite(c)
  const both = values.session.length > 0 && values.refresh.length > 0
  const suspect = kinds.filter((kind) => values[kind].length > 1 || (both && !isHostPrefixed(cookies[kind])))
  if (suspect.length > 0) {
    const url = new URL(c.req.url)
    const evictions = suspect.flatMap((kind) => shadowEvictionLines(url, cookies[kind], kind === 'session' ? '/' : cookies.refreshPath))
    if (evictions.length > 0 && !url.searchParams.has(evictedMarker)) {
      const headers = new Headers({ Location: `${url.pathname}${url.search ? `${url.search}&` : '?'}${evictedMarker}`, 'Cache-Control': 'no-store' })
      for (const line of evictions) headers.append('Set-Cookie', line)
      throw new HTTPException(307, { res: new Response(null, { status: 307, headers }), message: 'a token cookie came in planted copies: evicted, retry' })
    }
  }
  const trusted = (kind: (typeof kinds)[number]) => (suspect.includes(kind) ? null : values[kind][0] ?? null)
  return { session: trusted('session'), refresh: trusted('refresh') }
}

/**
 * The credential a request presents: a Bearer or DPoP token, else (with `cookies`) the session cookie.
 *
 * @example
 * ```ts
 * const presented = presentedCredential(c, cookies, 'api') // { token, fromCookie } | null
 * ```
 */
export function presentedCredential(c: Context, cookies: TokenCookies | undefined, realm: string): { token: string; fromCookie: boolean; dpop: boolean } | null {
  const presented = authorizationToken(c, realm)
  if (presented !== null) return { ...presented, fromCookie: false }
  const token = cookies ? tokenCookieValues(c, cookies).session : null
  return token === null ? null : { token, fromCookie: true, dpop: false }
}
