import { StorageUnavailableError } from './errors.ts'
import type { AuthEvents } from './event-delivery.ts'
import type { TokenStore } from './storage.ts'

/** The database's own code on a failure's cause chain (`code` of the driver's error), if it is a short name. */
function driverCodeOf(error: unknown): string | null {
  const seen = new Set<unknown>()
  for (let e = (error as { cause?: unknown }).cause; e && typeof e === 'object' && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e)
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && /^[A-Za-z0-9_]{1,40}$/.test(code)) return code
  }
  return null
}

/**
 * `store` with each method reporting `StorageUnavailableError` as a `storage-unavailable` event (then
 * rethrowing it unchanged). Without a handler, the store itself: no wrapper on the request path.
 *
 * @example
 * ```ts
 * const store = observedStore(drizzleTokenStore(db), events)
 * ```
 */
export function observedStore<TDb>(store: TokenStore<TDb>, events: AuthEvents): TokenStore<TDb> {
  if (!events.enabled) return store
  const wrapped = new Map<PropertyKey, unknown>()
  return new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property)
      if (typeof value !== 'function' || property === 'constructor') return value
      let method = wrapped.get(property)
      if (method === undefined) {
        const operation = String(property)
        method = function (this: unknown, ...args: unknown[]) {
          const result = (value as (...a: unknown[]) => unknown).apply(target, args)
          if (!(result instanceof Promise)) return result
          return result.catch((error: unknown) => {
            if (error instanceof StorageUnavailableError) events.emit(undefined, { type: 'storage-unavailable', operation, driverCode: driverCodeOf(error) })
            throw error
          })
        }
        wrapped.set(property, method)
      }
      return method
    },
  })
}
