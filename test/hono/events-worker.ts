// A Worker for events-workerd.test.ts: Hono routes over D1, whose onEvent handler first waits for the
// test's go-ahead (GET {COLLECTOR}/wait), then posts the event to the test ({COLLECTOR}/event). If
// delivery were on the request path, no response could arrive before the go-ahead.
import { drizzle } from 'drizzle-orm/d1'
import { Hono } from 'hono'
import { authenticate, authRoutes, cachePerEnv, requestContext } from '../../src/hono/index.ts'
import { initializeAuthServices, JwtAlgorithm, JwtConfig } from '../../src/index.ts'
import { sqliteTokenStore } from '../../src/sqlite/index.ts'
import { secrets } from '../conformance/fixtures.ts'

interface Env {
  DB: import('@cloudflare/workers-types').D1Database
  COLLECTOR: string
}

const servicesFor = cachePerEnv((env: Env) => initializeAuthServices({
  store: sqliteTokenStore(drizzle(env.DB)),
  tokenManagerBuilders: [new JwtConfig({ algorithm: JwtAlgorithm.hmacSha512(secrets.hmac), refreshTokenHashPepper: secrets.refreshPepper })],
  onEvent: async (event) => {
    await (await fetch(`${env.COLLECTOR}/wait`)).text()
    await fetch(`${env.COLLECTOR}/event`, { method: 'POST', body: JSON.stringify(event) })
  },
}))

const app = new Hono<{ Bindings: Env }>()
app.post('/sign-in', async (c) => c.json(await servicesFor(c.env).tokenManager.issueToken({
  authUserId: 'worker-user', method: 'email', context: requestContext(c),
  // Workers end a request's timers with its response: waitUntil keeps the delivery alive.
  waitUntil: (promise) => c.executionCtx.waitUntil(promise),
})))
app.route('/auth', authRoutes((c) => servicesFor(c.env)))
app.get('/api/me', authenticate({ auth: (c) => servicesFor(c.env) }), (c) => c.json({ user: c.var.auth.userIdentifier }))

export default app
