// The README's quick start, whole: src/index.ts of a new Worker (test/examples runs it as printed).
import { Hono } from 'hono'
import { neon, neonConfig } from '@neondatabase/serverless'
import { drizzle } from 'drizzle-orm/neon-http'
import { initializeAuthServices, JwtConfigFromPasswords, ServerSideSessionsConfigFromPasswords } from 'edge-token-managers'
import { drizzleTokenStore } from 'edge-token-managers/drizzle'
import { authenticate, authRoutes, cachePerEnv, guard, type AuthVariables } from 'edge-token-managers/hono'

interface Env {
  DATABASE_URL: string
  NEON_FETCH_ENDPOINT?: string // set in .dev.vars: local Postgres through `npx edge-token-managers neon-http`
  jwtHmacSha512PrivateKey: string
  jwtRefreshTokenHashPepper: string
  serverSideSessionKeyHashPepper: string
}

// One app per isolate, built on its first request (Workers hand over env with the request).
const appFor = cachePerEnv((env: Env) => {
  const endpoint = env.NEON_FETCH_ENDPOINT
  if (endpoint) neonConfig.fetchEndpoint = () => endpoint
  const auth = initializeAuthServices({
    store: drizzleTokenStore(drizzle(neon(env.DATABASE_URL))),
    tokenManagerBuilders: [new JwtConfigFromPasswords(env), new ServerSideSessionsConfigFromPasswords(env)],
  })
  const app = new Hono<{ Variables: AuthVariables }>()
  app.post('/sign-in', async (c) => {
    const { username, password } = await c.req.json<{ username?: string; password?: string }>()
    if (!username || password !== 'let-me-in') return c.json({ error: 'invalid_credentials' }, 401) // stand-in check
    return c.json(await guard(() => auth.tokenManager.issueToken({ authUserId: username, method: 'password' })))
  })
  app.route('/auth', authRoutes(auth)) // POST /auth/refresh, /auth/sign-out, /auth/sign-out-all; GET /auth/tokens
  app.use('/api/*', authenticate({ auth }))
  app.get('/api/me', (c) => c.json({ user: c.var.auth.userIdentifier }))
  return app
})

export default { fetch: (request: Request, env: Env) => appFor(env).fetch(request, env) }
