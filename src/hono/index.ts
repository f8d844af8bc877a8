/**
 * Hono integration: `authenticate` (sets a typed `c.var.auth`), `requireScopes`, and `authRoutes` (refresh,
 * sign-out, token listing and revocation, JWKS). Errors follow RFC 6750 and carry the library's `code`.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono'
 * import { authenticate, authRoutes, requireScopes, type AuthVariables } from 'edge-token-managers/hono'
 *
 * const app = new Hono<{ Variables: AuthVariables }>()
 * app.route('/auth', authRoutes(auth))
 * app.use('/api/*', authenticate({ auth }))
 * app.get('/api/admin', requireScopes('admin'), (c) => c.json({ user: c.var.auth.userIdentifier }))
 * ```
 */
export { authenticate, type AuthenticateOptions, type AuthVariables, type OptionalAuthVariables } from './authenticate.ts'
export type { RequestUrl } from './dpop.ts'
export { requireScopes } from './scopes.ts'
export { authRoutes, type AuthRoutesOptions } from './routes.ts'
export { tokenCookies, type TokenCookies, type TokenCookiesOptions } from './token-cookies.ts'
export { cachePerEnv, type AuthSource } from './cache.ts'
export { requestContext, type EventContextOf, type RequestContext } from './request-events.ts'
export { guard, type AuthErrorBody, type OAuthError } from './errors.ts'
