// A device whose clock is an hour off the server's: the client measures what is left of a token on the
// server's clock, so it refreshes once per token, shortly before expiry — not on every call, not never.
// The same against the real routes is in real-routes.test.ts.
import { describe, expect, it } from 'vitest'
import { createAuthClient, type AuthSuccessJson } from '../../src/client/index.ts'
import { millisecondsLeft, toAuthSuccessJson } from '../../src/client/auth-success.ts'
import { issuedAtMs, withServerClockOffset } from '../../src/client/clock-offset.ts'
import { testClock, type TestClock } from '../support/auth.ts'
import { scriptedServer } from './scripted-server.ts'
import { inProcessLocks, sharedArea } from './tabs.ts'

const SECOND = 1_000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const refreshBefore = 30 * SECOND

/** This device's clock: the server's plus `skewMs` (positive: the device is ahead). */
const deviceClock = (server: TestClock, skewMs: number) => () => new Date(server().getTime() + skewMs)

/**
 * Devices (one per tab, sharing storage and a lock) signed in to a scripted server. Records every answer's
 * status and, for each refresh, how long the replaced token had left on the server's clock.
 */
function devices(skewMs: number, server: Parameters<typeof scriptedServer>[1], tabCount = 1) {
  const clock = testClock()
  const api = scriptedServer(clock, server)
  const area = sharedArea()
  const lock = inProcessLocks()
  const statuses: number[] = []
  const leftAtRefresh: number[] = []
  const tabs = Array.from({ length: tabCount }, () => {
    const client = createAuthClient({
      baseUrl: 'https://api.example.test', storage: area.tab(), lock, clock: deviceClock(clock, skewMs),
      fetch: async (request) => {
        if (request.url.endsWith('/auth/refresh')) leftAtRefresh.push(Date.parse(client.authSuccess!.tokenExpiresAt!) - clock().getTime())
        const response = await api.fetch(request)
        statuses.push(response.status)
        return response
      },
    })
    return client
  })
  tabs[0]!.signIn(api.issue())
  /** Calls the API every 10 s (server time), round-robin over the tabs, for `ms`. */
  async function use(ms: number) {
    for (let elapsed = 0; elapsed < ms; elapsed += 10 * SECOND) {
      await tabs[(elapsed / (10 * SECOND)) % tabs.length]!.fetch('/api/me')
      clock.advance(10 * SECOND)
    }
  }
  return { clock, tabs, statuses, leftAtRefresh, use }
}

describe.each([
  ['1 hour ahead', HOUR],
  ['in sync', 0],
  ['1 hour behind', -HOUR],
])('a device clock %s of the server', (_, skewMs) => {
  it.each([
    ['JWT iat only (Date header hidden cross-origin)', false],
    ['JWT iat at sign-in, Date header at refresh', true],
  ])('refreshes once per 10-minute token, in its last 30 s on the server clock: %s', async (_, dateHeader) => {
    const { statuses, leftAtRefresh, tabs, use } = devices(skewMs, { tokens: 'jwt', dateHeader })
    await use(30 * MINUTE)
    expect(statuses.every((status) => status === 200)).toBe(true) // no 401: never too late
    expect(leftAtRefresh).toHaveLength(3) // no storm: once per token
    // The sign-in's estimate is looser (its request time is unknown, ≤ 10 s assumed); a refresh's is within 1 s.
    expect(leftAtRefresh[0]).toBeLessThanOrEqual(refreshBefore + 11 * SECOND)
    for (const left of leftAtRefresh.slice(1)) expect(left).toBeLessThanOrEqual(refreshBefore + SECOND)
    for (const left of leftAtRefresh) expect(left).toBeGreaterThan(0)
    expect(Math.abs(tabs[0]!.authSuccess!.serverClockOffsetMs! + skewMs)).toBeLessThanOrEqual(SECOND)
  })

  it('tabs share the estimate through storage: one refresh per token for all of them', async () => {
    const { statuses, leftAtRefresh, tabs, use } = devices(skewMs, { tokens: 'jwt' }, 3)
    await use(30 * MINUTE)
    expect(statuses.every((status) => status === 200)).toBe(true)
    expect(leftAtRefresh).toHaveLength(3)
    const offsets = tabs.map((tab) => tab.authSuccess!.serverClockOffsetMs)
    expect(new Set(offsets).size).toBe(1)
  })
})

describe('an opaque access token (nothing in it tells the time)', () => {
  it('learns the skew from the refresh response’s Date header: after the first refresh, once per token', async () => {
    const { statuses, leftAtRefresh, tabs, use } = devices(HOUR, { tokens: 'opaque' })
    expect(tabs[0]!.authSuccess!.serverClockOffsetMs).toBeUndefined()
    await use(30 * MINUTE)
    // Nothing told the skew at sign-in, so the token looked expired and was refreshed at the first call;
    // the three tokens since lived their 10 minutes each.
    expect(leftAtRefresh[0]).toBe(10 * MINUTE)
    expect(leftAtRefresh.slice(1)).toHaveLength(3)
    for (const left of leftAtRefresh.slice(1)) expect(left).toBeLessThanOrEqual(refreshBefore + SECOND)
    expect(statuses.every((status) => status === 200)).toBe(true)
  })

  it('keeps the previous estimate when a refresh answer has no Date header', async () => {
    const { tabs, clock, leftAtRefresh, use } = devices(-HOUR, { tokens: 'opaque', dateHeader: false })
    tabs[0]!.signIn({ ...tabs[0]!.authSuccess!, serverClockOffsetMs: HOUR })
    clock.advance(10 * MINUTE - 20 * SECOND)
    await use(20 * MINUTE)
    expect(leftAtRefresh).toEqual([20 * SECOND, 20 * SECOND, 20 * SECOND])
    expect(tabs[0]!.authSuccess!.serverClockOffsetMs).toBe(HOUR)
  })
})

describe('withServerClockOffset', () => {
  const serverNow = Date.parse('2026-06-01T12:00:00.000Z')
  const jwt = (payload: object) => `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`
  const authSuccess = (token: string, extra: Partial<AuthSuccessJson> = {}): AuthSuccessJson => ({
    authStrategy: 'jwt', token, tokenExpiresAt: new Date(serverNow + 10 * MINUTE).toISOString(), refreshToken: 'r',
    authUserId: 'u', scopeNames: [], tokenId: 't', ...extra,
  })

  it('gives exactly 0 for clocks in sync (no correction of whole-second rounding)', () => {
    const receipt = { sentAt: serverNow + 400, receivedAt: serverNow + 900 }
    expect(withServerClockOffset(authSuccess(jwt({ iat: serverNow / 1000 })), receipt).serverClockOffsetMs).toBe(0)
    const dated = withServerClockOffset(authSuccess('opaque'), { ...receipt, serverDate: new Date(serverNow).toUTCString() })
    expect(dated.serverClockOffsetMs).toBe(0)
  })

  it('takes the smallest offset that fits the whole second the server named and the round trip', () => {
    // The server read 12:00:00.xxx while this device read between 13:00:00.200 and 13:00:00.500.
    const receipt = { sentAt: serverNow + HOUR + 200, receivedAt: serverNow + HOUR + 500, serverDate: new Date(serverNow).toUTCString() }
    expect(withServerClockOffset(authSuccess('opaque'), receipt).serverClockOffsetMs).toBe(-HOUR + 800)
    // The device behind: the offset is at least what the server's second says.
    const behind = withServerClockOffset(authSuccess(jwt({ iat: serverNow / 1000 })), { receivedAt: serverNow - HOUR })
    expect(behind.serverClockOffsetMs).toBe(HOUR)
  })

  it('prefers the Date header, ignores an offset in the server’s body, keeps the previous one without evidence', () => {
    const receipt = { receivedAt: serverNow + HOUR, serverDate: new Date(serverNow).toUTCString() }
    expect(withServerClockOffset(authSuccess(jwt({ iat: 1 })), receipt).serverClockOffsetMs).toBe(-HOUR + 11 * SECOND)
    const untrusted = authSuccess('opaque', { serverClockOffsetMs: 123 })
    expect(withServerClockOffset(untrusted, { receivedAt: serverNow })).not.toHaveProperty('serverClockOffsetMs')
    expect(withServerClockOffset(untrusted, { receivedAt: serverNow }, -5).serverClockOffsetMs).toBe(-5)
  })

  it('reads iat from a JWT payload (UTF-8 claims too) and nothing from anything else', () => {
    expect(issuedAtMs(jwt({ iat: 1_780_000_000, name: 'Zoë 😀' }))).toBe(1_780_000_000_000)
    for (const token of ['etmst_abc', 'a.b.c', jwt({ iat: '1780000000' }), jwt({}), 'x.bnVsbA.y', '..', 'a.b', jwt({ iat: 1 }) + '.d']) {
      expect(issuedAtMs(token)).toBeNull()
    }
  })
})

describe('stored state', () => {
  it('a value stored before the estimate existed (no serverClockOffsetMs) is read as before: on the device clock', () => {
    const stored = { authStrategy: 'jwt', token: 'a', tokenExpiresAt: '2026-06-01T12:10:00.000Z', refreshToken: 'r', authUserId: 'u', scopeNames: [], tokenId: 't' }
    const read = toAuthSuccessJson(JSON.parse(JSON.stringify(stored)))!
    expect(read).toEqual(stored)
    expect(millisecondsLeft(read, Date.parse('2026-06-01T12:09:00.000Z'))).toBe(MINUTE)
  })

  it('the estimate survives storage as JSON; a non-number is dropped', () => {
    const value = { authStrategy: 'jwt' as const, token: 'a', tokenExpiresAt: '2026-06-01T12:10:00.000Z', refreshToken: 'r', authUserId: 'u', scopeNames: [], tokenId: 't' }
    expect(toAuthSuccessJson(JSON.parse(JSON.stringify({ ...value, serverClockOffsetMs: -HOUR })))?.serverClockOffsetMs).toBe(-HOUR)
    expect(toAuthSuccessJson({ ...value, serverClockOffsetMs: '5' })).not.toHaveProperty('serverClockOffsetMs')
    expect(millisecondsLeft({ ...value, serverClockOffsetMs: -HOUR }, Date.parse('2026-06-01T13:09:00.000Z'))).toBe(MINUTE)
  })
})
