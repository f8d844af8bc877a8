// Delivery of auth events off the request's critical path. The auth call only queues; a timer task (kept
// alive by the request's waitUntil where there is one) hands the queue to the handler. A handler that throws,
// rejects or never settles is reported once and changes nothing.
import { ConfigError } from '../crypto/errors.ts'
import type { ManagerClock } from './clock.ts'
import type { AuthEvent, AuthEventHandler, AuthEventsStatus, ValidationFailureOptions, ValidationFailureReason } from './events.ts'
import type { EventOptions, TokenIssuer } from './types.ts'

/** What a call site gives: the event without the fields the emitter fills in. `at` set = read on the database's clock. */
export type EventInput = AuthEvent extends infer E ? E extends AuthEvent ? Omit<E, 'at' | 'clock' | 'context'> & { at?: Date } : never : never

/** Past this, a handler's promise counts as hung: reported, and no longer kept alive by `waitUntil`. */
const handlerDeadlineMs = 10_000
const minuteMs = 60_000

type Pending = () => AuthEvent | Promise<AuthEvent>

/**
 * The events of one `initializeAuthServices`. Without a handler every method returns at once.
 *
 * @example
 * ```ts
 * const events = new AuthEvents((event) => console.log(event.type), {}, managerClock(undefined))
 * events.emit(undefined, { type: 'revocation', reason: 'app', tokenIssuer: 'jwt', tokenId })
 * ```
 */
export class AuthEvents implements AuthEventsStatus {
  readonly enabled: boolean
  readonly #handler: AuthEventHandler | undefined
  readonly #clock: ManagerClock
  readonly #sample: number
  readonly #perMinute: number
  #queue: Pending[] = []
  /** Flushes whose timer has not fired yet. */
  readonly #scheduled = new Set<Promise<void>>()
  /** Resolves once the last flush handed its events to the handler: the next one waits for it (order). */
  #tail: Promise<void> = Promise.resolve()
  readonly #inFlight = new Set<Promise<void>>()
  #failureReported = false
  #windowStart = -Infinity
  #inWindow = 0
  #skipped = 0

  constructor(handler: AuthEventHandler | undefined, failures: ValidationFailureOptions, clock: ManagerClock) {
    if (handler !== undefined && typeof handler !== 'function') throw new ConfigError('onEvent must be a function.')
    const sample = failures.sample ?? 1
    const perMinute = failures.perMinute ?? 60
    if (!(sample >= 0 && sample <= 1)) throw new ConfigError('validationFailures.sample must be a number from 0 to 1.')
    if (!Number.isInteger(perMinute) || perMinute < 0) throw new ConfigError('validationFailures.perMinute must be a whole number ≥ 0.')
    this.enabled = handler !== undefined
    this.#handler = handler
    this.#clock = clock
    this.#sample = sample
    this.#perMinute = perMinute
  }

  /** Queues an event for delivery after the current call; never throws, never waits. */
  emit(options: EventOptions | undefined, input: EventInput): void {
    if (!this.enabled) return
    let now: Date
    try {
      now = input.at ?? this.#clock.now()
    } catch {
      return // a broken injected clock fails the operation itself; the event is not worth a second error
    }
    const event = Object.freeze({ ...input, at: now, clock: input.at ? 'database' : 'server', context: this.#contextOf(options) }) as AuthEvent
    this.#enqueue(() => event, options?.waitUntil)
  }

  /** A refresh token family revoked for reuse: `reuse-detected`, then its `revocation`. */
  reuseDetected(options: EventOptions | undefined, family: { id: string; authUserId: string; method: string }, rotatedAt: Date | null, now: Date): void {
    const { id: tokenId, authUserId, method } = family
    this.emit(options, { type: 'reuse-detected', at: now, tokenId, authUserId, method, sinceRotationMs: rotatedAt && now.getTime() - rotatedAt.getTime() })
    this.emit(options, { type: 'revocation', at: now, reason: 'reuse', tokenIssuer: 'jwt', tokenId })
  }

  /**
   * A `validation-failed` event, if sampling and the per-minute limit let it through. `reason` may be a
   * function: then it is worked out during delivery, after the response, and only for reported failures.
   */
  validationFailed(options: EventOptions | undefined, tokenIssuer: TokenIssuer | null, reason: ValidationFailureReason | (() => Promise<ValidationFailureReason>)): void {
    if (!this.enabled || !this.#admitFailure()) return
    const skipped = this.#skipped
    this.#skipped = 0
    let at: Date
    try {
      at = this.#clock.now()
    } catch {
      return
    }
    const context = this.#contextOf(options) // read now: it may be a getter over the request
    const build = (found: ValidationFailureReason): AuthEvent =>
      Object.freeze({ type: 'validation-failed', reason: found, tokenIssuer, skipped, at, clock: 'server', context })
    this.#enqueue(typeof reason === 'function' ? () => reason().then(build, () => build('malformed')) : () => build(reason), options?.waitUntil)
  }

  // The app's context may be a getter (the Hono layer's): one that throws loses the context, not the answer.
  #contextOf(options: EventOptions | undefined): unknown {
    try {
      return options?.context
    } catch (error) {
      this.#reportFailure(error)
      return undefined
    }
  }

  settled(): Promise<void> {
    const tail = this.#tail
    return Promise.all([...this.#scheduled, tail, ...this.#inFlight]).then(() =>
      this.#scheduled.size > 0 || this.#tail !== tail || this.#inFlight.size > 0 ? this.settled() : undefined)
  }

  #admitFailure(): boolean {
    if (this.#sample < 1 && Math.random() >= this.#sample) return void this.#skipped++, false
    let nowMs: number
    try {
      nowMs = this.#clock.now().getTime()
    } catch {
      return false
    }
    if (nowMs - this.#windowStart >= minuteMs || nowMs < this.#windowStart) [this.#windowStart, this.#inWindow] = [nowMs, 0]
    if (this.#inWindow >= this.#perMinute) return void this.#skipped++, false
    this.#inWindow++
    return true
  }

  // A timer per call, never one shared between requests: Workers drop the timers of a request that ended
  // without waitUntil, and a shared one would then hold every later event. Each flush takes the whole queue.
  #enqueue(pending: Pending, waitUntil: EventOptions['waitUntil']): void {
    this.#queue.push(pending)
    const flushed = new Promise<void>((resolve) => setTimeout(resolve, 0)).then(() => this.#flush())
    this.#scheduled.add(flushed)
    void flushed.then(() => this.#scheduled.delete(flushed))
    if (waitUntil) {
      try {
        waitUntil(flushed)
      } catch {
        // Outside a request (or a runtime whose waitUntil throws): the timer still delivers.
      }
    }
  }

  /**
   * Hands the queue to the handler, in the order the events happened (even when a reason is still being
   * worked out); resolves when those deliveries have settled or timed out.
   */
  #flush(): Promise<void> {
    if (this.#queue.length === 0) return Promise.resolve()
    const batch = this.#queue.map((pending) => Promise.resolve().then(pending).catch(() => null))
    this.#queue = []
    const started = this.#tail.then(async () => {
      const deliveries: Promise<void>[] = []
      for (const event of await Promise.all(batch)) {
        if (event === null) continue
        const delivery = this.#deliver(event)
        this.#inFlight.add(delivery)
        void delivery.then(() => this.#inFlight.delete(delivery))
        deliveries.push(delivery)
      }
      return deliveries
    })
    this.#tail = started.then(() => undefined)
    return started.then((deliveries) => Promise.all(deliveries)).then(() => undefined)
  }

  async #deliver(event: AuthEvent): Promise<void> {
    let deadline: ReturnType<typeof setTimeout> | undefined
    try {
      const result = this.#handler!(event)
      if (result === null || typeof result !== 'object' || typeof (result as Promise<unknown>).then !== 'function') return
      const hung = new Promise<never>((_, reject) => {
        deadline = setTimeout(() => reject(new Error(`it did not settle within ${handlerDeadlineMs / 1000} s`)), handlerDeadlineMs)
        // Node: a hung handler must not keep the process alive.
        ;(deadline as { unref?: () => void }).unref?.()
      })
      await Promise.race([result, hung])
    } catch (error) {
      this.#reportFailure(error)
    } finally {
      clearTimeout(deadline)
    }
  }

  // Once per services: a handler that fails on every event must not flood the log.
  #reportFailure(error: unknown): void {
    if (this.#failureReported) return
    this.#failureReported = true
    const why = error instanceof Error ? `${error.name}: ${error.message}` : 'a non-Error was thrown'
    try {
      console.warn(`edge-token-managers: an onEvent handler (or its event context) failed (${why}); auth answers are unaffected, and later failures are not reported.`)
    } catch {
      // Nowhere to report to.
    }
  }
}

/**
 * A manager's check whether a string has its token format (cheap, no crypto). `MultiTokenManager` reports a
 * failed validation as `malformed` itself only when no manager recognises the token: each manager reports
 * the failures of its own tokens, with their reason.
 *
 * @example
 * ```ts
 * const mine = manager[recognizesToken]?.(token) ?? false
 * ```
 */
export const recognizesToken: unique symbol = Symbol('edge-token-managers.recognizesToken')

/** A manager that can say whether a token has its format. */
export interface RecognizesTokens {
  [recognizesToken](token: string): boolean
}

/** The emitter of managers built without `initializeAuthServices` (no handler: every call returns at once). */
export const noEvents = new AuthEvents(undefined, {}, { now: () => new Date(), at: (readAt) => readAt, stamp: () => null })
