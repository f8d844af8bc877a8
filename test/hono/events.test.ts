// The Hono layer hands events the request's context (IP and user agent, or the app's own) and the
// sign-out reasons, and passes the request's waitUntil so delivery outlives the response.
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { authenticate, authRoutes, requestContext } from '../../src/hono/index.ts'
import type { AuthEvent } from '../../src/index.ts'
import { createAuth } from '../support/auth.ts'
import { openDatabase, type OpenDatabase } from '../support/drivers.ts'
import { eventRecorder } from '../support/events.ts'
import { bearer, call, type ExecutionContextLike } from './support.ts'

let database: OpenDatabase
beforeAll(async () => {
  database = await openDatabase('pglite')
})
afterAll(async () => database?.close())

const browser = { 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0', 'CF-Connecting-IP': '203.0.113.5' }
const json = (body: unknown, headers: Record<string, string> = {}) => ({ method: 'POST', headers: { 'Content-Type': 'application/json', ...browser, ...headers }, body: JSON.stringify(body) })

function setUp(options: { eventContext?: (c: any) => unknown } = {}) {
  const recorder = eventRecorder()
  const { auth } = createAuth(database.db, 'multi', { onEvent: recorder.onEvent })
  const app = new Hono()
  app.route('/auth', authRoutes(auth, options))
  app.get('/api/me', authenticate({ auth, ...options }), (c) => c.json({ user: c.var.auth.userIdentifier }))
  return { auth, app, recorder }
}

describe('events through the Hono middleware and routes', () => {
  it('refresh, sign-out and sign-out-all carry the request context and their reasons; a bad token a validation failure', async () => {
    const { auth, app, recorder } = setUp()
    const signedIn = await auth.tokenManager.issueToken({ authUserId: 'hono-user', method: 'email' })
    const refreshed = await call(app, '/auth/refresh', json({ refreshToken: signedIn.refreshToken }))
    expect(refreshed.status).toBe(200)
    const { token, refreshToken } = JSON.parse(refreshed.body)
    recorder.secret(signedIn.token, signedIn.refreshToken, token, refreshToken)
    expect((await call(app, '/api/me', { headers: { Authorization: 'Bearer nonsense', ...browser } })).status).toBe(401)
    const session = await auth.getTokenManager((await import('../../src/index.ts')).ServerSideSessionsTokenManager).issueToken({ authUserId: 'hono-user', method: 'email' })
    recorder.secret(session.token)
    expect((await call(app, '/auth/sign-out', { method: 'POST', headers: { ...bearer(session.token).headers, ...browser } })).status).toBe(204)
    expect((await call(app, '/auth/sign-out-all', { method: 'POST', headers: { ...bearer(token).headers, ...browser } })).status).toBe(204)

    const expected = { ipAddress: '203.0.113.5', userAgent: browser['User-Agent'] }
    const events = (await recorder.all(auth)).filter((e) => e.type !== 'sign-in')
    expect(events.map((e) => [e.type, 'reason' in e ? e.reason : null, e.context])).toEqual([
      ['refresh', null, expected],
      ['validation-failed', 'malformed', expected],
      ['revocation', 'sign-out', expected],
      ['revocation', 'sign-out-all', expected],
      ['revocation', 'sign-out-all', expected],
    ])
    await recorder.expectNoSecrets(auth)
  })

  it('a refresh in the OAuth form (RFC 6749 §6) carries the request context too', async () => {
    const { auth, app, recorder } = setUp()
    const signedIn = await auth.tokenManager.issueToken({ authUserId: 'oauth-user', method: 'email' })
    const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: signedIn.refreshToken! }).toString()
    const refreshed = await call(app, '/auth/refresh', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...browser }, body })
    expect(refreshed.status).toBe(200)
    const { access_token, refresh_token } = JSON.parse(refreshed.body)
    recorder.secret(signedIn.token, signedIn.refreshToken, access_token, refresh_token)
    const [refresh] = await recorder.of(auth, 'refresh')
    expect(refresh!.context).toEqual({ ipAddress: '203.0.113.5', userAgent: browser['User-Agent'] })
    await recorder.expectNoSecrets(auth)
  })

  it('the app chooses the context (eventContext); requestContext reads X-Forwarded-For without CF-Connecting-IP', async () => {
    const { auth, app, recorder } = setUp({ eventContext: (c) => ({ ...requestContext(c), route: c.req.path }) })
    expect((await call(app, '/api/me', { headers: { Authorization: 'Bearer x.y.z', 'X-Forwarded-For': '198.51.100.2, 10.0.0.1' } })).status).toBe(401)
    const [failure] = await recorder.of(auth, 'validation-failed')
    expect(failure!.context).toEqual({ ipAddress: '198.51.100.2', userAgent: null, route: '/api/me' })
  })

  it('delivery is handed to the request\'s waitUntil and has not happened when the response is returned', async () => {
    const { auth, app, recorder } = setUp()
    const waited: Promise<unknown>[] = []
    const executionCtx: ExecutionContextLike = { waitUntil: (p) => void waited.push(p), passThroughOnException: () => {}, props: {} }
    const response = await call(app, '/api/me', { headers: { Authorization: 'Bearer x.y.z' } }, {}, executionCtx)
    expect(response.status).toBe(401)
    expect(waited.length).toBeGreaterThan(0)
    expect(recorder.events).toEqual([])
    await Promise.all(waited)
    expect(recorder.events.map((e: AuthEvent) => e.type)).toEqual(['validation-failed'])
    await auth.events.settled()
  })

  it('with onEvent, a request that emits nothing builds no context either', async () => {
    const recorder = eventRecorder()
    const { auth } = createAuth(database.db, 'multi', { onEvent: recorder.onEvent })
    let built = 0
    const app = new Hono()
    app.get('/api/me', authenticate({ auth, eventContext: () => ({ n: ++built }) }), (c) => c.json({ user: c.var.auth.userIdentifier }))
    const signedIn = await auth.tokenManager.issueToken({ authUserId: 'lazy', method: 'email' })
    expect((await call(app, '/api/me', bearer(signedIn.token))).status).toBe(200)
    expect(built).toBe(0)
    expect((await call(app, '/api/me', bearer('x.y.z'))).status).toBe(401)
    expect(built).toBe(1)
    expect((await recorder.of(auth, 'validation-failed'))[0]!.context).toEqual({ n: 1 })
  })

  it('an eventContext that throws loses the context, never the answer', async () => {
    const recorder = eventRecorder()
    const { auth } = createAuth(database.db, 'multi', { onEvent: recorder.onEvent })
    const app = new Hono()
    app.get('/api/me', authenticate({ auth, eventContext: () => { throw new Error('context bug') } }), (c) => c.json({ user: c.var.auth.userIdentifier }))
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      expect((await call(app, '/api/me', bearer('x.y.z'))).status).toBe(401)
      expect((await recorder.of(auth, 'validation-failed')).map((e) => [e.reason, e.context])).toEqual([['malformed', undefined]])
      expect(warn).toHaveBeenCalledTimes(1)
    } finally {
      warn.mockRestore()
    }
  })

  it('without onEvent no context is built and the answers are the same', async () => {
    const { auth } = createAuth(database.db, 'multi')
    let built = 0
    const app = new Hono()
    app.get('/api/me', authenticate({ auth, eventContext: () => built++ }), (c) => c.json({ user: c.var.auth.userIdentifier }))
    const signedIn = await auth.tokenManager.issueToken({ authUserId: 'quiet', method: 'email' })
    expect((await call(app, '/api/me', bearer(signedIn.token))).status).toBe(200)
    expect(built).toBe(0)
    expect(auth.events.enabled).toBe(false)
  })
})
