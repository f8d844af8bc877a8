// A Hono Worker for the CPU benchmark: the same JSON answer behind no auth (the baseline) and behind
// `authenticate` with HS512, ES512 or a server-side session, and HS512 with auth events on (a handler that
// only counts), for a valid token and for one with a bad signature. Setup routes issue the tokens.
import { neon, neonConfig } from '@neondatabase/serverless'
import { drizzle } from 'drizzle-orm/neon-http'
import { Hono } from 'hono'
import {
  initializeAuthServices, JwtAlgorithm, JwtConfig, ServerSideSessionsConfig, type AuthServices,
} from '../../src/index.ts'
import { drizzleTokenStore } from '../../src/drizzle/index.ts'
import { authenticate, cachePerEnv } from '../../src/hono/index.ts'

interface Env {
  DATABASE_URL: string
  NEON_FETCH_ENDPOINT: string
  HS512_SECRET: string
  ES512_PRIVATE_JWK: string
  ES512_PUBLIC_JWK: string
  PEPPER: string
}

type Services = Record<'hs512' | 'es512' | 'session' | 'hs512Events', AuthServices>

/** What the events handler received: it only counts. */
let delivered = 0

// Built once per isolate, as an app would (cachePerEnv): keys are imported on the first request only.
const servicesFor = cachePerEnv((env: Env): Services => {
  neonConfig.fetchEndpoint = () => env.NEON_FETCH_ENDPOINT
  const store = drizzleTokenStore(drizzle(neon(env.DATABASE_URL)))
  const jwt = (algorithm: JwtAlgorithm, events = {}) =>
    initializeAuthServices({ store, tokenManagerBuilders: [new JwtConfig({ algorithm, refreshTokenHashPepper: env.PEPPER })], ...events })
  return {
    hs512: jwt(JwtAlgorithm.hmacSha512(env.HS512_SECRET)),
    // Every failure reported (no per-minute cap): the most events can cost.
    hs512Events: jwt(JwtAlgorithm.hmacSha512(env.HS512_SECRET), { onEvent: () => void delivered++, validationFailures: { perMinute: 1e9 } }),
    es512: jwt(JwtAlgorithm.ecdsaSha512({ privateKey: JSON.parse(env.ES512_PRIVATE_JWK), publicKey: JSON.parse(env.ES512_PUBLIC_JWK) })),
    session: initializeAuthServices({ store, tokenManagerBuilders: [new ServerSideSessionsConfig({ sessionKeyHashPepper: env.PEPPER })] }),
  }
})

const app = new Hono<{ Bindings: Env }>()
const kinds = ['hs512', 'es512', 'session'] as const
const answer = { userIdentifier: 'user-1234567890', scopes: ['admin', 'billing'], authId: '00000000-0000-4000-8000-000000000000', tokenIssuer: 'jwt' }

app.get('/noop', (c) => c.json(answer))
app.post('/issue/:kind', async (c) => {
  const kind = c.req.param('kind') as (typeof kinds)[number]
  const success = await servicesFor(c.env)[kind].tokenManager.issueToken({ authUserId: 'user-1234567890', method: 'bench', scopes: ['admin', 'billing'] })
  return c.json(success)
})
// The library alone, without the middleware: the header read by hand, validateToken called directly.
app.get('/hs512-direct', async (c) => {
  const info = await servicesFor(c.env).hs512.tokenManager.validateToken(c.req.header('authorization')?.slice(7) ?? '')
  return info ? c.json(info) : c.text('invalid', 401)
})
for (const kind of kinds) {
  app.get(`/${kind}`, authenticate({ auth: (c) => servicesFor(c.env as Env)[kind] }), (c) => c.json(c.var.auth))
}
// Same token as /hs512 (same key); /…-bad routes get it with a changed signature and answer 401.
app.get('/hs512-events', authenticate({ auth: (c) => servicesFor(c.env as Env).hs512Events }), (c) => c.json(c.var.auth))
app.get('/hs512-bad', authenticate({ auth: (c) => servicesFor(c.env as Env).hs512 }), (c) => c.json(c.var.auth))
app.get('/hs512-bad-events', authenticate({ auth: (c) => servicesFor(c.env as Env).hs512Events }), (c) => c.json(c.var.auth))
app.get('/delivered', (c) => c.json({ delivered }))

export default app
