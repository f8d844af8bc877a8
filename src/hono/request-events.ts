// What the middleware and routes hand each auth call for events and bookkeeping: the request's
// `waitUntil` (Workers) and, when the services have an `onEvent`, the request's context.
import type { Context } from 'hono'
import type { AuthServices } from '../managers/auth-services.ts'
import type { EventOptions } from '../managers/types.ts'

/** What the Hono layer puts in events' `context` by default. */
export interface RequestContext {
  /** `CF-Connecting-IP`, else the first `X-Forwarded-For` entry: what the proxy in front says. Null without one. */
  ipAddress: string | null
  /** The `User-Agent` header, at most 300 characters. */
  userAgent: string | null
}

/** Builds an event's `context` from a request (`authenticate({ eventContext })`, `authRoutes(auth, { eventContext })`). */
export type EventContextOf = (c: Context) => unknown

/**
 * The request's IP address and user agent, as the Hono middleware and routes put them in events. Pass the
 * same to `issueToken({ context })` so sign-in events carry it too. Headers only (any runtime); an app
 * behind another proxy passes its own `eventContext`.
 *
 * @example
 * ```ts
 * const success = await auth.tokenManager.issueToken({ authUserId, method: 'email', context: requestContext(c) })
 * ```
 */
export function requestContext(c: Context): RequestContext {
  const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim()
  const ipAddress = c.req.header('cf-connecting-ip') ?? (forwarded || null)
  return { ipAddress: ipAddress?.slice(0, 64) ?? null, userAgent: c.req.header('user-agent')?.slice(0, 300) ?? null }
}

/** Remembers, per middleware or routes, that this runtime has no execution context (see `waitUntilOf`). */
export interface NoContext {
  known: boolean
}

/**
 * `c.executionCtx.waitUntil` where the runtime has one. Hono's getter throws where there is none (Node,
 * Deno, Bun), and a throw per request costs tens of microseconds there: `noContext` remembers, per
 * middleware, that this runtime has none.
 */
export function waitUntilOf(c: Context, noContext: NoContext): EventOptions['waitUntil'] {
  if (noContext.known) return undefined
  try {
    const executionCtx = c.executionCtx
    return (promise) => executionCtx.waitUntil(promise)
  } catch {
    noContext.known = true
    return undefined
  }
}

/**
 * `{ waitUntil, context }` for one auth call of this request. The context is a getter: built only when an
 * event is emitted (during the call, while the request is at hand), never for a request that emits none.
 */
export function eventOptions(c: Context, services: AuthServices<any>, noContext: NoContext, eventContext: EventContextOf = requestContext): EventOptions | undefined {
  const waitUntil = waitUntilOf(c, noContext)
  if (!services.events?.enabled) return waitUntil && { waitUntil }
  let built: { value: unknown } | undefined
  return {
    ...(waitUntil && { waitUntil }),
    get context() {
      return (built ??= { value: eventContext(c) }).value
    },
  }
}

/**
 * `events` plus more options, copied by property descriptor so the lazy `context` getter stays lazy (a
 * spread would build it for every request).
 *
 * @example
 * ```ts
 * jwt.refreshAccessToken(token, withEventOptions(eventOptions(c, auth, noContext), { dpop }))
 * ```
 */
export function withEventOptions<T extends object>(events: EventOptions | undefined, extra: T): EventOptions & T {
  return Object.defineProperties(Object.defineProperties({}, Object.getOwnPropertyDescriptors(events ?? {})), Object.getOwnPropertyDescriptors(extra)) as EventOptions & T
}
