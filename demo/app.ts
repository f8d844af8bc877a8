// The demo app, one for both runtimes: the page at /, the library's token routes at /auth, the demo's
// JSON API at /api. Entry points (node.ts, worker.ts) supply the database, secrets and the built page.
import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { secureHeaders } from 'hono/secure-headers'
import { authRoutes, requestContext, tokenCookies, type TokenCookiesOptions } from '../src/hono/index.ts'
import { demoApi } from './api.ts'
import type { DemoServices } from './services.ts'

export interface DemoAppOptions {
  /** The services for this request: built once per process (Node) or per isolate (Workers, `cachePerEnv`). */
  services: (c: Context) => DemoServices
  /** The page (demo/page, built into one HTML file by demo/page/build.ts). */
  page: string
  /** The caller's IP as the runtime knows it. */
  clientIp: (c: Context) => string | undefined
  /** Cookie names and paths (`tokenCookies` options); the defaults unless a test tries others. */
  cookies?: TokenCookiesOptions
}

/** The largest JSON body the demo's API reads: its bodies are a few hundred bytes. */
export const maxApiBodyBytes = 16 * 1024

/**
 * Creates the demo app.
 *
 * @example
 * ```ts
 * const app = createDemoApp({ services: () => services, page: await buildPage(), clientIp: () => undefined })
 * serve({ fetch: app.fetch, port: 3000 })
 * ```
 */
export function createDemoApp({ services, page, clientIp, cookies: cookieOptions }: DemoAppOptions) {
  const app = new Hono()
  app.use(secureHeaders())
  // The page learns the access token lifetime, to refresh ahead of expiry even with ACCESS_TOKEN_LIFETIME=5s,
  // and the mode (AUTH_MODE): cookies, or tokens in its storage bound to its DPoP key.
  app.get('/', (c) => {
    const { accessTokenLifetimeMs, authMode } = services(c)
    const refreshBeforeMs = Math.min(30_000, Math.floor(accessTokenLifetimeMs / 3))
    return c.html(page
      .replace('data-refresh-before-ms="30000"', `data-refresh-before-ms="${refreshBeforeMs}"`)
      .replace('data-auth-mode="cookie"', `data-auth-mode="${authMode}"`))
  })
  // Cookie mode: the page never holds a refresh or session token (HttpOnly cookies); PATs stay bearer.
  // DPoP mode sets no cookie (sign-in answers with every token), so the same routes serve it unchanged.
  const cookies = tokenCookies(cookieOptions)
  // Events from the routes (refresh, reuse, sign-outs) carry the IP the runtime knows, as sign-ins do.
  const eventContext = (c: Context) => ({ ...requestContext(c), ipAddress: clientIp(c) ?? null })
  app.route('/auth', authRoutes((c) => services(c).auth, { cookies, eventContext }))
  // Refuse big bodies before anyone reads them (the /auth routes bound their own).
  app.use('/api/*', bodyLimit({ maxSize: maxApiBodyBytes, onError: (c) => c.json({ error: 'invalid_request', code: 'ERR_BODY_TOO_LARGE' }, 413) }))
  app.route('/api', demoApi({ services, clientIp, cookies, eventContext }))
  return app
}
