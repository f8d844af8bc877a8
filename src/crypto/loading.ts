/**
 * Key material imported in the background: started at configuration time so a bad key fails early
 * (`ready`), awaited by every operation that needs it — so each one rejects with the same typed error —
 * and readable without an await once loaded, which keeps a microtask off the per-request path. A failure
 * is never an unhandled rejection: it belongs to whoever asks.
 */
export class Loading<T> {
  readonly promise: Promise<T>
  #value: T | undefined

  constructor(load: () => Promise<T>) {
    this.promise = load()
    this.promise.then((value) => (this.#value = value), () => {})
  }

  /** The value once loaded, else undefined: `loading.value ?? (await loading.promise)` skips the await when it can. */
  get value(): T | undefined {
    return this.#value
  }
}

/** `promise`, with its rejection marked as handled: for a `ready` that nobody may ever await. */
export function observed<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {})
  return promise
}
