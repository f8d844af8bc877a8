// Test fixtures that need no library: well-formed test secrets and a clock a test moves. Portable (no
// node:*), so the conformance suite on every runtime and the Node unit tests share one copy.

export const secrets = {
  hmac: 'test-hmac-sha512-key-0123456789abcdef0123456789abcdef0123456789abcdef',
  otherHmac: 'another-hmac-sha512-key-0123456789abcdef0123456789abcdef0123456789ab',
  refreshPepper: 'test-refresh-pepper-0123456789',
  oldRefreshPepper: 'old-test-refresh-pepper-0123456789',
  sessionPepper: 'test-session-pepper-0123456789',
  oldSessionPepper: 'old-test-session-pepper-0123456789',
}

export interface TestClock {
  (): Date
  advance(ms: number): void
  set(date: Date): void
}

export function testClock(start = Date.parse('2026-06-01T12:00:00.000Z')): TestClock {
  let now = start
  const clock = (() => new Date(now)) as TestClock
  clock.advance = (ms) => void (now += ms)
  clock.set = (date) => void (now = date.getTime())
  return clock
}

export const minutes = (n: number) => n * 60_000
export const days = (n: number) => n * 86_400_000

/** The token with one character of its secret changed: a middle one, since the last may carry only padding bits. */
export function withWrongSecret(token: string): string {
  const at = token.length - 8
  return token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1)
}
