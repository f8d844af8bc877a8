import type { Context } from 'hono'
import { httpError } from './errors.ts'

/**
 * Cross-site protection for requests authenticated by a cookie (browsers attach cookies to requests other
 * sites start; they never attach an Authorization header). `false` turns it off — only for apps that
 * protect themselves, e.g. with Hono's `csrf()`.
 */
export type CsrfOptions = false | {
  /** Origins besides the request's own that may send cookie-authenticated writes, e.g. `https://app.example.com`. */
  trustedOrigins?: readonly string[]
  /** Also accept `Sec-Fetch-Site: same-site` (a sibling subdomain). Default false: a sibling can be less trusted. */
  allowSameSite?: boolean
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Refuses (403 `ERR_CROSS_SITE_REQUEST`) a state-changing request that another site started. The browser
 * says so in `Sec-Fetch-Site`; older ones only send `Origin`, checked against the request's own origin and
 * `trustedOrigins`. A request with neither header came from no browser page, so a cookie in it was not
 * sent on anyone's behalf.
 */
export function refuseCrossSite(c: Context, options: CsrfOptions | undefined): void {
  if (options === false || safeMethods.has(c.req.method)) return
  const site = c.req.header('sec-fetch-site')
  const origin = c.req.header('origin')
  const trusted = origin !== undefined && (origin === new URL(c.req.url).origin || (options?.trustedOrigins ?? []).includes(origin))
  const allowed = site === undefined
    ? origin === undefined || trusted
    : site === 'same-origin' || site === 'none' || trusted || (site === 'same-site' && options?.allowSameSite === true)
  if (!allowed) throw httpError('ERR_CROSS_SITE_REQUEST')
}

/**
 * A `Set-Cookie` value that makes the browser drop `name`. `__Host-` and `__Secure-` cookies are only
 * accepted — deletions included — with `Secure` (and, for `__Host-`, `Path=/` and no `Domain`), so the
 * attributes follow the name; every cookie this library reads is set with `Path=/`.
 */
export function expiredCookie(name: string): string {
  const secure = name.startsWith('__Host-') || name.startsWith('__Secure-')
  return `${name}=; Max-Age=0; Path=/${secure ? '; Secure' : ''}; HttpOnly; SameSite=Lax`
}
