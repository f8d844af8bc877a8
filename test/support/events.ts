// Records the events a test's services emit, and checks every one of them for secrets the way the walk of
// exported objects checks objects: printed every way, no token, secret, pepper or key in any spelling, and
// no bytes or keys reachable at all.
import { inspect } from 'node:util'
import { expect } from 'vitest'
import type { AuthEvent, AuthServices } from '../../src/index.ts'
import { secrets } from '../conformance/fixtures.ts'
import { spellings } from './spellings.ts'

export interface EventRecorder {
  onEvent(event: AuthEvent): void
  readonly events: AuthEvent[]
  /** The events of one type, after the pending deliveries of `auth` settled. */
  of<T extends AuthEvent['type']>(auth: AuthServices<any>, type: T): Promise<Extract<AuthEvent, { type: T }>[]>
  /** Everything recorded so far, once delivered. */
  all(auth: AuthServices<any>): Promise<AuthEvent[]>
  /** Strings that must never appear in an event (tokens the test holds, its own secrets). */
  secret(...values: (string | null | undefined)[]): void
  /** Fails on any event that holds a secret (see the file's header); returns how many were checked. */
  expectNoSecrets(auth: AuthServices<any>): Promise<number>
}

/** Byte arrays, buffers and keys anywhere in `value`, by path. */
function binaryPaths(value: unknown, path = 'event', seen = new Set<unknown>()): string[] {
  if (value === null || typeof value !== 'object' || seen.has(value)) return []
  seen.add(value)
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof CryptoKey) return [path]
  return Reflect.ownKeys(value).flatMap((key) => binaryPaths((value as Record<PropertyKey, unknown>)[key], `${path}.${String(key)}`, seen))
}

export function eventRecorder(): EventRecorder {
  const events: AuthEvent[] = []
  const needles = new Set<string>(Object.values(secrets).flatMap((s) => spellings(s)))
  const recorder: EventRecorder = {
    onEvent: (event) => void events.push(event),
    events,
    async of(auth, type) {
      await auth.events.settled()
      return events.filter((e): e is Extract<AuthEvent, { type: typeof type }> => e.type === type)
    },
    async all(auth) {
      await auth.events.settled()
      return [...events]
    },
    secret(...values) {
      for (const value of values) if (value) for (const s of spellings(value)) needles.add(s)
    },
    async expectNoSecrets(auth) {
      await auth.events.settled()
      const leaks: string[] = []
      for (const [i, event] of events.entries()) {
        for (const path of binaryPaths(event)) leaks.push(`${event.type} #${i}: bytes or a key at ${path}`)
        const printed = [JSON.stringify(event), inspect(event, { showHidden: true, depth: Infinity, getters: true }), String(Object.entries(event))]
        for (const text of printed) for (const needle of needles) if (text.includes(needle)) leaks.push(`${event.type} #${i}: ${needle.slice(0, 12)}…`)
      }
      expect([...new Set(leaks)]).toEqual([])
      return events.length
    },
  }
  return recorder
}
