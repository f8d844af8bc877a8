// The cross-site rule of cookie mode, in one place: which requests count as riding on cookies, and when
// such a request is refused because another site started it.
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
