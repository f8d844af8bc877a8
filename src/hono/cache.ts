import type { Context, Env } from 'hono'
import type { AuthServices } from '../managers/auth-services.ts'

/**
 * Where the middleware and routes get the auth services: the services themselves (Node, Bun, Deno: built
 * once at start-up) or a function of the request context (Workers, where secrets arrive in `c.env`;
 * wrap it in {@link cachePerEnv} so keys are imported once per isolate, not per request).
 */
export type AuthSource<E extends Env = any> = AuthServices<any> | ((c: Context<E>) => AuthServices<any>)

/**
 * The auth services for this request.
 */
export function resolveAuth<E extends Env>(source: AuthSource<E>, c: Context<E>): AuthServices<any> {
  return typeof source === 'function' ? source(c) : source
}

/**
 * Memoizes `factory` per `env` object. Workers hand every request of an isolate the same `env`, so the
 * services (imported CryptoKeys, the database client) are built on the first request and reused after;
 * a new isolate, or a new `env` after a secret changes, builds afresh. A failed build is not cached.
 *
 * @example
 * ```ts
 * const servicesFor = cachePerEnv((env: Env) => {
 *   const db = drizzle(neon(env.DATABASE_URL))
 *   return { db, auth: initializeAuthServices({ store: drizzleTokenStore(db), tokenManagerBuilders: [new JwtConfigFromPasswords(env)] }) }
 * })
 * app.use('/api/*', authenticate({ auth: (c) => servicesFor(c.env).auth }))
 * ```
 */
export function cachePerEnv<TEnv, T>(factory: (env: TEnv) => T): (env: TEnv) => T {
  const byEnv = new WeakMap<object, T>()
  // Runtimes without an env object (undefined) still share one instance.
  let withoutEnv: { value: T } | undefined
  return (env) => {
    if (typeof env !== 'object' || env === null) return (withoutEnv ??= { value: factory(env) }).value
    let value = byEnv.get(env)
    if (value === undefined) {
      value = factory(env)
      byEnv.set(env, value)
    }
    return value
  }
}
