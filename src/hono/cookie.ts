import type { Context } from 'hono'
import { ConfigError } from '../managers/errors.ts'
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
 * The cross-site check of one middleware: refuses (403 `ERR_CROSS_SITE_REQUEST`) a state-changing request
 * that another site started. The browser says so in `Sec-Fetch-Site`; older ones only send `Origin`,
 * checked against the request's own origin and `trustedOrigins`. A request with neither header came from
 * no browser page, so a cookie in it was not sent on anyone's behalf.
 */
export function crossSiteGuard(options: CsrfOptions | undefined): (c: Context) => void {
  if (options === false) return () => {}
  // Parsed once, so `https://App.example/` matches the `https://app.example` a browser sends, and a
  // value that is no origin fails at start-up instead of never matching.
  const trustedOrigins = new Set((options?.trustedOrigins ?? []).map(originOf))
  const allowSameSite = options?.allowSameSite === true
  return (c) => {
    if (safeMethods.has(c.req.method)) return
    const site = c.req.header('sec-fetch-site')
    const origin = c.req.header('origin')
    const trusted = origin !== undefined && (origin === new URL(c.req.url).origin || trustedOrigins.has(origin))
    const allowed = site === undefined
      ? origin === undefined || trusted
      : site === 'same-origin' || site === 'none' || trusted || (site === 'same-site' && allowSameSite)
    if (!allowed) throw httpError('ERR_CROSS_SITE_REQUEST')
  }
}

function originOf(value: string): string {
  let origin = 'null'
  try {
    origin = new URL(value).origin
  } catch {
    // reported below
  }
  if (origin === 'null') {
    throw new ConfigError(`csrf.trustedOrigins takes origins such as "https://app.example.com"; got ${JSON.stringify(value)}.`)
  }
  return origin
}

export type SameSite = 'Strict' | 'Lax'

/**
 * One `Set-Cookie` value for a token cookie: always `HttpOnly` (no script may read it) and `Secure`
 * (browsers accept `__Host-`/`__Secure-` names only with it, and treat `localhost` as secure). It lives
 * until `expires` — a date the token's manager computed, so no second clock is involved — and `null`
 * deletes it (`Max-Age=0`). A cookie is replaced or deleted only by a line with the same name and `Path`.
 */
export function cookieLine(name: string, value: string, options: { path: string; expires: Date | null; sameSite: SameSite }): string {
  const lifetime = options.expires ? `Expires=${options.expires.toUTCString()}` : 'Max-Age=0'
  return `${name}=${value}; ${lifetime}; Path=${options.path}; HttpOnly; Secure; SameSite=${options.sameSite}`
}

const isPrefixed = (name: string) => name.startsWith('__Host-') || name.startsWith('__Secure-')

/**
 * Clears cookie `name` (set with `path`) in this request's response; returns the header, for an error
 * response that replaces it. Prefixed names are deleted only by a `Secure` line; an app's own plain cookie,
 * maybe set over http in development, only by one without.
 */
export function clearCookie(c: Context, name: string, path = '/'): { 'Set-Cookie': string } {
  const line = cookieLine(name, '', { path, expires: null, sameSite: 'Lax' })
  const header = { 'Set-Cookie': isPrefixed(name) ? line : line.replace('; Secure', '') }
  c.header('Set-Cookie', header['Set-Cookie'], { append: true })
  return header
}
