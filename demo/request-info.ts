// The demo's TokenMetadata for a request: who asked, from which device, IP and browser.
import type { Context } from 'hono'
import type { RequestInfo } from './services.ts'

const browsers: [RegExp, string][] = [[/Edg\//, 'Edge'], [/Firefox\//, 'Firefox'], [/Chrome\//, 'Chrome'], [/Safari\//, 'Safari'], [/curl\//, 'curl']]
const systems: [RegExp, string][] = [[/Android/, 'Android'], [/iPhone|iPad/, 'iOS'], [/Mac OS X/, 'macOS'], [/Windows/, 'Windows'], [/Linux/, 'Linux']]

/**
 * A readable device name from a User-Agent, e.g. "Firefox on Linux"; a guess, good enough for a list.
 *
 * @example
 * ```ts
 * deviceNameFrom('Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0') // 'Firefox on Linux'
 * ```
 */
export function deviceNameFrom(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device'
  const browser = browsers.find(([pattern]) => pattern.test(userAgent))?.[1]
  const system = systems.find(([pattern]) => pattern.test(userAgent))?.[1]
  if (browser && system) return `${browser} on ${system}`
  return browser ?? system ?? userAgent.slice(0, 40)
}

/**
 * The request's `waitUntil` on Workers (event delivery then outlives the response), else undefined: on
 * Node, Deno and Bun delivery runs on a later task by itself.
 *
 * @example
 * ```ts
 * await auth.tokenManager.issueToken({ authUserId, method: 'demo', waitUntil: afterResponse(c) })
 * ```
 */
export function afterResponse(c: Context): ((promise: Promise<unknown>) => void) | undefined {
  try {
    const executionCtx = c.executionCtx
    return (promise) => executionCtx.waitUntil(promise)
  } catch {
    return undefined // Hono's getter throws where the runtime has no execution context
  }
}

/** Caps free text from a request before it is stored. */
export const clip = (value: unknown, max: number): string | null =>
  typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, max) : null

/** Text Postgres cannot store (NUL) or that no person types (other control characters): refuse it with 400. */
export const unstorable = (value: unknown) => typeof value === 'string' && /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value)

/**
 * The metadata to store for a token created by this request.
 *
 * @example
 * ```ts
 * const context = requestInfo(c, c.req.header('cf-connecting-ip'), { name: 'sign-in', deviceName: null })
 * ```
 */
export function requestInfo(c: Context, ipAddress: string | undefined, given: { name: string; deviceName: string | null }): RequestInfo {
  const userAgent = clip(c.req.header('user-agent'), 300)
  return { name: given.name, deviceName: given.deviceName ?? deviceNameFrom(userAgent), ipAddress: ipAddress ?? null, userAgent }
}
