// The README's quick start, whole: sign in, a protected route, refresh and sign-out (test/examples runs it).
import { Hono } from 'hono'
import { neon } from '@neondatabase/serverless'
import { drizzle } from 'drizzle-orm/neon-http'
import { initializeAuthServices, JwtConfigFromPasswords, ServerSideSessionsConfigFromPasswords } from 'edge-token-managers'
import { drizzleTokenStore, type AnyPgDatabase } from 'edge-token-managers/drizzle'
import { authenticate, authRoutes, cachePerEnv, guard, type AuthVariables } from 'edge-token-managers/hono'

export interface Env { DATABASE_URL: string; jwtHmacSha512PrivateKey: string; jwtRefreshTokenHashPepper: string; serverSideSessionKeyHashPepper: string }

export function createApp(db: AnyPgDatabase, env: Env) {
  const auth = initializeAuthServices({
    store: drizzleTokenStore(db),
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
}

// Cloudflare Workers: one app per isolate, built on its first request.
const appFor = cachePerEnv((env: Env) => createApp(drizzle(neon(env.DATABASE_URL)), env))
export default { fetch: (request: Request, env: Env) => appFor(env).fetch(request, env) }
