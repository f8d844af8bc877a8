// The demo's JSON API (mounted at /api): a stand-in sign-in, my tokens with their metadata, personal
// access tokens, and two protected routes. Revocation and sign-out are the library's /auth routes.
import { Hono, type Context } from 'hono'
import { ServerSideSessionsTokenManager } from '../src/index.ts'
import { authenticate, guard, requireScopes, type TokenCookies } from '../src/hono/index.ts'
import { afterResponse, clip, requestInfo, unstorable } from './request-info.ts'
import { activityOf } from './activity.ts'
import type { DemoServices } from './services.ts'
import { metadataOf, saveRefreshTokenMetadata } from './storage.ts'

export interface DemoApiOptions {
  services: (c: Context) => DemoServices
  /** The caller's IP, as the runtime knows it (Workers: `cf-connecting-ip`; Node: the socket). */
  clientIp: (c: Context) => string | undefined
  /** Cookie mode, shared with the /auth routes: browser sign-ins keep their long-lived token in a cookie. */
  cookies: TokenCookies
  /** What the events of this API's validations carry (the /auth routes' too). */
  eventContext?: (c: Context) => unknown
}

const noStore = { 'Cache-Control': 'no-store' }
const usernamePattern = /^[A-Za-z0-9_.-]{1,40}$/

const badRequest = (c: Context, code: string) => c.json({ error: 'invalid_request', code }, 400)

async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  const body: unknown = await c.req.json().catch(() => null)
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {}
}

/**
 * Builds the API app.
 *
 * @example
 * ```ts
 * app.route('/api', demoApi({ services: (c) => servicesFor(c.env), clientIp: (c) => c.req.header('cf-connecting-ip') }))
 * ```
 */
export function demoApi({ services, clientIp, cookies, eventContext }: DemoApiOptions) {
  const api = new Hono()
  // Browsers: a JWT's access token as Bearer, or the session cookie. API clients: Bearer only.
  const authenticated = authenticate({ auth: (c) => services(c).auth, cookies, ...(eventContext && { eventContext }) })

  // NOT an identity provider: anyone may claim any username. A real app verifies a password, a passkey or
  // an OAuth login here, then issues tokens exactly like this.
  api.post('/sign-in', async (c) => {
    const body = await jsonBody(c)
    const username = typeof body.username === 'string' ? body.username.trim() : ''
    if (!usernamePattern.test(username)) return badRequest(c, 'ERR_INVALID_USERNAME')
    if (body.kind !== 'jwt' && body.kind !== 'session') return badRequest(c, 'ERR_INVALID_KIND')
    if (unstorable(body.deviceName)) return badRequest(c, 'ERR_INVALID_DEVICE_NAME')
    const { auth, authMode } = services(c)
    // `tokens: 'bearer'` for API clients (curl, mobile): every token in the body. The page uses cookies,
    // except in DPoP mode: there every token goes in the body, bound to the key of the request's proof.
    const tokens = body.tokens ?? (authMode === 'dpop' ? 'bearer' : 'cookie')
    if (tokens !== 'bearer' && (tokens !== 'cookie' || authMode === 'dpop')) return badRequest(c, 'ERR_INVALID_TOKENS')
    const authUserId = username.toLowerCase()
    const context = requestInfo(c, clientIp(c), { name: `sign-in (${body.kind})`, deviceName: clip(body.deviceName, 80) })
    const options = {
      authUserId, method: 'demo', scopes: authUserId === 'admin' ? ['user', 'admin'] : ['user'], context, waitUntil: afterResponse(c),
      ...(authMode === 'dpop' && { dpop: { proof: c.req.header('DPoP'), method: c.req.method, url: c.req.url } }),
    }
    const success = await guard(() =>
      body.kind === 'jwt'
        ? auth.tokenManager.issueToken(options) // the primary manager: JWT
        : auth.getTokenManager(ServerSideSessionsTokenManager).issueToken(options))
    return tokens === 'cookie' ? cookies.respond(c, success) : c.json(success, 200, noStore)
  })

  api.get('/me', authenticated, (c) => c.json(c.var.auth, 200, noStore))

  // My sign-ins, refreshes, revocations and reuse detections, from the events (demo/activity.ts).
  api.get('/activity', authenticated, async (c) => c.json(await guard(() => activityOf(services(c).storage, c.var.auth.userIdentifier)), 200, noStore))
  api.get('/admin', authenticated, requireScopes('admin'), (c) => c.json({ message: `Hello, admin ${c.var.auth.userIdentifier}` }))

  // My tokens (both kinds) joined with their metadata; `current` marks the one making this request.
  api.get('/tokens', authenticated, async (c) => {
    const { auth, storage } = services(c)
    const tokens = await guard(() => auth.tokenManager.listTokens({ authUserId: c.var.auth.userIdentifier }))
    const ids = tokens.map((t) => t.tokenId)
    const rows = ids.length === 0
      ? []
      : await guard(() => metadataOf(storage, ids)) // a database down is 503, as everywhere
    const byToken = new Map(rows.map(({ id, refreshTokenId, sessionId, ...metadata }) => [refreshTokenId ?? sessionId, metadata]))
    return c.json(tokens.map((t) => ({ ...t, metadata: byToken.get(t.tokenId) ?? null, current: t.tokenId === c.var.auth.authId })), 200, noStore)
  })

  // The seed's personal access token: issue with the primary (JWT) manager, then attach the endpoint's
  // parameters through `jwtRefreshTokenId`. The PAT is the refresh token: trade it at POST /auth/refresh.
  api.post('/pats', authenticated, async (c) => {
    // DPoP mode binds every token to a key: a PAT would work only inside this browser, so there are none.
    if (services(c).authMode === 'dpop') return badRequest(c, 'ERR_PATS_NEED_COOKIE_MODE')
    const body = await jsonBody(c)
    const name = clip(body.name, 80)
    if (!name || unstorable(body.name)) return badRequest(c, 'ERR_INVALID_NAME')
    if (unstorable(body.deviceName)) return badRequest(c, 'ERR_INVALID_DEVICE_NAME')
    const { auth, storage } = services(c)
    const deviceName = clip(body.deviceName, 80) ?? 'Personal access token'
    const context = requestInfo(c, clientIp(c), { name, deviceName })
    const success = await guard(() =>
      auth.tokenManager.issueToken({ authUserId: c.var.auth.userIdentifier, method: 'pat', scopes: ['api'], context, waitUntil: afterResponse(c) }))
    // onRefreshTokenCreated already wrote a row for it (it runs for every refresh token); the endpoint's
    // own parameters win.
    const metadata = { refreshTokenId: success.jwtRefreshTokenId!, ...context }
    await guard(() => saveRefreshTokenMetadata(storage, metadata)
      .catch(async (error: unknown) => {
        // No PAT without its metadata: take the token back before answering 503.
        await auth.tokenManager.revokeToken({ tokenId: success.tokenId }).catch(() => {})
        throw error
      }))
    return c.json(success, 201, noStore)
  })

  return api
}
