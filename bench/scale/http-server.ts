// The app server of the HTTP benchmark, in its own process (as in production the load comes from
// elsewhere): one pool of 10 node-postgres connections and these routes on a loopback port —
//   /floor/:id    one primary-key select with raw pg: the one-round-trip floor
//   /drizzle/:id  the same select through Drizzle
//   /session, /session-cached, /jwt   authenticate() with a session (cache off / on) or a JWT
// It prints its port once listening. Configured by BENCH_DATABASE_URL.
import { serve } from '@hono/node-server'
import { eq } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/node-postgres'
import { Hono } from 'hono'
import pg from 'pg'
import { authSession, drizzleTokenStore } from '../../src/drizzle/index.ts'
import { authenticate } from '../../src/hono/index.ts'
import { initializeAuthServices, ServerSideSessionsTokenManager } from '../../src/index.ts'
import { jwtConfig, sessionsConfig } from '../../test/support/auth.ts'

const pool = new pg.Pool({ connectionString: process.env.BENCH_DATABASE_URL, max: 10 })
pool.on('error', () => {})
const db = drizzle(pool)
// lastUsedAt writes off (interval 1 day): the read path is measured; the throttled write is a separate row.
const session = { lastUsedAtUpdateInterval: '1d' } as const
const plain = initializeAuthServices({ store: drizzleTokenStore(db), tokenManagerBuilders: [jwtConfig(), sessionsConfig(session)] })
const cached = initializeAuthServices({
  store: drizzleTokenStore(db),
  tokenManagerBuilders: [sessionsConfig({ ...session, validationCache: { maxAge: '1s', size: 4096 } })],
})

const app = new Hono()
app.get('/floor/:id', async (c) => c.json((await pool.query('select id, auth_user_id from auth_session where id = $1', [c.req.param('id')])).rows[0]))
app.get('/drizzle/:id', async (c) => c.json((await db.select({ id: authSession.id, user: authSession.authUserId }).from(authSession).where(eq(authSession.id, c.req.param('id'))).limit(1))[0]))
app.get('/session', authenticate({ auth: plain }), (c) => c.text(c.var.auth.userIdentifier))
app.get('/session-cached', authenticate({ auth: cached }), (c) => c.text(c.var.auth.userIdentifier))
app.get('/jwt', authenticate({ auth: plain }), (c) => c.text(c.var.auth.userIdentifier))
app.post('/issue', async (c) => {
  const { kind, count } = await c.req.json<{ kind: 'session' | 'jwt' | 'session-cached'; count: number }>()
  const auth = kind === 'session-cached' ? cached : plain
  const manager = kind === 'jwt' ? auth.tokenManager : auth.getTokenManager(ServerSideSessionsTokenManager)
  const issued = await Promise.all(Array.from({ length: count }, (_, i) => manager.issueToken({ authUserId: `bench-${i}`, method: 'email' })))
  return c.json(issued.map((s) => ({ token: s.token, id: s.tokenId })))
})

process.on('SIGINT', () => process.exit(0))
serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => console.log(`port ${info.port}`))
