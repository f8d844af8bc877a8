// A scripted server that follows the HTTP contract of `authRoutes` + `authenticate`, for the client's pure
// logic (timing, sharing, retries). The same behaviours are checked against the real Hono routes in
// real-routes.test.ts and in Chromium (test/browser).
import type { AuthSuccessJson } from '../../src/client/index.ts'
import type { TestClock } from '../support/auth.ts'

export type Failure = null | 'network' | 503

/**
 * `tokens: 'jwt'` issues JWT-shaped access tokens (an unsigned payload with `iat`/`exp`, as the client
 * reads them for clock skew) instead of `access-<n>`. Every answer carries a `Date` header, as real
 * servers send, unless `dateHeader` is false (a cross-origin caller cannot read it unless exposed).
 */
export function scriptedServer(
  clock: TestClock,
  { accessTtlMs = 600_000, strategy = 'jwt' as 'jwt' | 'session', tokens = 'opaque' as 'opaque' | 'jwt', dateHeader = true } = {},
) {
  let counter = 0
  const accessTokens = new Map<string, number>() // token -> expires at (ms)
  const refreshTokens = new Set<string>()
  const log: string[] = []
  let failure: Failure = null
  let failureOnlyOn: string | null = null
  let rejectEveryAccessToken = false

  function issue(): AuthSuccessJson {
    const n = ++counter
    const iat = Math.floor(clock().getTime() / 1_000)
    const expiresAt = (iat * 1_000) + accessTtlMs
    const token = tokens === 'jwt' ? `${encode({ alg: 'none' })}.${encode({ iat, exp: expiresAt / 1_000 })}.access-${n}` : `access-${n}`
    accessTokens.set(token, expiresAt)
    if (strategy === 'jwt') refreshTokens.add(`refresh-${n}`)
    return {
      authStrategy: strategy,
      token,
      tokenExpiresAt: new Date(expiresAt).toISOString(),
      refreshToken: strategy === 'jwt' ? `refresh-${n}` : null,
      authUserId: 'user-1',
      scopeNames: [],
      tokenId: `token-${n}`,
    }
  }

  function unauthorized(error?: string): Response {
    const challenge = `Bearer realm="test"${error ? `, error="${error}"` : ''}`
    return Response.json({ error: error ?? 'unauthorized' }, { status: 401, headers: { 'www-authenticate': challenge } })
  }

  async function fetch(request: Request): Promise<Response> {
    const response = await answer(request)
    if (dateHeader) response.headers.set('date', clock().toUTCString())
    return response
  }

  async function answer(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname
    const bearer = request.headers.get('authorization')?.replace(/^Bearer /, '') ?? null
    log.push(`${request.method} ${path}${bearer ? ` ${bearer}` : ''}`)
    // Yield, so concurrent callers really overlap as they would over a network.
    await new Promise((resolve) => setTimeout(resolve, 1))
    const failing = failure !== null && (failureOnlyOn === null || failureOnlyOn === path)
    if (failing && failure === 'network') throw new TypeError('fetch failed')
    if (failing && failure === 503) return new Response('down', { status: 503, headers: { 'retry-after': '1' } })

    if (path === '/auth/refresh') {
      const { refreshToken } = (await request.json()) as { refreshToken: string }
      if (!refreshTokens.delete(refreshToken)) return Response.json({ error: 'invalid_grant', code: 'ERR_REFRESH_TOKEN_NOT_FOUND' }, { status: 400 })
      return Response.json(issue())
    }
    if (path === '/api/plain-401') return new Response('not yours', { status: 401 })
    if (!bearer) return unauthorized()
    const expiresAt = accessTokens.get(bearer)
    if (rejectEveryAccessToken || expiresAt === undefined || expiresAt <= clock().getTime()) return unauthorized('invalid_token')
    if (path === '/auth/sign-out' || path === '/auth/sign-out-all') {
      accessTokens.clear()
      refreshTokens.clear()
      return new Response(null, { status: 204 })
    }
    return Response.json({ path, token: bearer, body: request.method === 'POST' ? await request.text() : null })
  }

  const encode = (value: object) => btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')

  return {
    fetch,
    issue,
    log,
    refreshRequests: () => log.filter((line) => line.startsWith('POST /auth/refresh')).length,
    /** Kill every token (as a revocation from another device would). */
    revokeAll() {
      accessTokens.clear()
      refreshTokens.clear()
    },
    /** Refresh tokens stay valid; current access tokens stop working (as after a key rotation). */
    dropAccessTokens() {
      accessTokens.clear()
    },
    /** A broken server that rejects every access token, even fresh ones. */
    rejectEveryAccessToken() {
      rejectEveryAccessToken = true
    },
    /** Make requests fail (to `onlyOn` only, when given) until called with `null`. */
    setFailure(next: Failure, onlyOn: string | null = null) {
      failure = next
      failureOnlyOn = onlyOn
    },
  }
}
