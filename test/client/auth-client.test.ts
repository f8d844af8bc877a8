// The client's rules, step by step, with a clock the test moves and a server that follows the contract.
import { describe, expect, it, vi } from 'vitest'
import { createAuthClient, memoryStorage, type AuthClientOptions, type SignOutReason } from '../../src/client/index.ts'
import { testClock } from '../support/auth.ts'
import { scriptedServer } from './scripted-server.ts'

const MINUTE = 60_000

function setup(options: { strategy?: 'jwt' | 'session'; accessTtlMs?: number; client?: Partial<AuthClientOptions> } = {}) {
  const clock = testClock()
  const server = scriptedServer(clock, { accessTtlMs: options.accessTtlMs ?? 10 * MINUTE, strategy: options.strategy ?? 'jwt' })
  const storage = memoryStorage()
  const signedOut: SignOutReason[] = []
  const client = createAuthClient({
    baseUrl: 'https://api.example.test',
    storage,
    clock,
    fetch: server.fetch,
    onSignedOut: ({ reason }) => signedOut.push(reason),
    ...options.client,
  })
  client.signIn(server.issue())
  return { clock, server, storage, client, signedOut }
}

async function bearerOf(response: Response): Promise<string> {
  return ((await response.json()) as { token: string }).token
}

describe('eager refresh', () => {
  it('sends the stored token and does not refresh far from expiry', async () => {
    const { client, server, clock } = setup()
    clock.advance(9 * MINUTE) // 60 s left, outside the 30 s window
    expect(await bearerOf(await client.fetch('/api/me'))).toBe('access-1')
    expect(server.refreshRequests()).toBe(0)
  })

  it('refreshes once inside the window and sends the new token', async () => {
    const { client, server, clock, storage } = setup()
    clock.advance(10 * MINUTE - 29_000)
    expect(await bearerOf(await client.fetch('/api/me'))).toBe('access-2')
    expect(await bearerOf(await client.fetch('/api/me'))).toBe('access-2')
    expect(server.refreshRequests()).toBe(1)
    expect(storage.get()?.refreshToken).toBe('refresh-2')
  })

  it('honours a custom refreshBefore', async () => {
    const { client, server, clock } = setup({ client: { refreshBefore: 2 * MINUTE } })
    clock.advance(8 * MINUTE + 1)
    await client.fetch('/api/me')
    expect(server.refreshRequests()).toBe(1)
  })

  it('shares one refresh among 10 concurrent calls', async () => {
    const { client, server, clock } = setup()
    clock.advance(10 * MINUTE - 5_000)
    const tokens = await Promise.all(Array.from({ length: 10 }, () => client.fetch('/api/me').then(bearerOf)))
    expect(tokens).toEqual(Array(10).fill('access-2'))
    expect(server.refreshRequests()).toBe(1)
  })

  it('refreshes an already expired access token before using it', async () => {
    const { client, server, clock } = setup()
    clock.advance(11 * MINUTE)
    expect((await client.fetch('/api/me')).status).toBe(200)
    expect(server.log).toEqual(['POST /auth/refresh', 'GET /api/me access-2'])
  })

  it('never refreshes a session without expiry', async () => {
    const { client, server, clock, storage } = setup({ strategy: 'session' })
    client.signIn({ ...storage.get()!, tokenExpiresAt: null })
    clock.advance(365 * 24 * 60 * MINUTE)
    await client.fetch('/api/me')
    expect(server.refreshRequests()).toBe(0)
  })
})

describe('dead refresh token', () => {
  it('clears storage and calls onSignedOut once, even for 10 concurrent calls', async () => {
    const { client, server, clock, storage, signedOut } = setup()
    const changes = vi.fn()
    client.onChange(changes)
    server.revokeAll()
    clock.advance(10 * MINUTE - 1_000)
    const statuses = await Promise.all(Array.from({ length: 10 }, () => client.fetch('/api/me').then((r) => r.status)))
    expect(statuses).toEqual(Array(10).fill(401))
    expect(server.refreshRequests()).toBe(1)
    expect(storage.get()).toBeNull()
    expect(client.authSuccess).toBeNull()
    expect(signedOut).toEqual(['rejected'])
    expect(changes).toHaveBeenCalledTimes(1)
    expect(changes).toHaveBeenCalledWith(null)
  })

  it('signs out after a 401 whose refresh is refused (token revoked elsewhere, far from expiry)', async () => {
    const { client, server, signedOut } = setup()
    server.revokeAll()
    expect((await client.fetch('/api/me')).status).toBe(401)
    expect(server.log).toEqual(['GET /api/me access-1', 'POST /auth/refresh'])
    expect(signedOut).toEqual(['rejected'])
  })

  it('signs a session out when its token is answered 401 invalid_token, without a refresh', async () => {
    const { client, server, signedOut } = setup({ strategy: 'session' })
    server.revokeAll()
    expect((await client.fetch('/api/me')).status).toBe(401)
    expect(server.refreshRequests()).toBe(0)
    expect(signedOut).toEqual(['rejected'])
    expect(client.authSuccess).toBeNull()
  })

  it('keeps a session signed in after a 401 that is not invalid_token (an app route of its own)', async () => {
    const { client, signedOut } = setup({ strategy: 'session' })
    expect((await client.fetch('/api/plain-401')).status).toBe(401)
    expect(signedOut).toEqual([])
    expect(client.authSuccess?.token).toBe('access-1')
  })
})

describe('unreachable server', () => {
  it('stays signed in when the refresh fails on the network, and refreshes once it is back', async () => {
    const { client, server, clock, signedOut } = setup()
    clock.advance(10 * MINUTE - 1_000)
    server.setFailure('network')
    await expect(client.fetch('/api/me')).rejects.toThrow(TypeError)
    expect(client.authSuccess?.token).toBe('access-1')
    expect(signedOut).toEqual([])
    server.setFailure(null)
    expect(await bearerOf(await client.fetch('/api/me'))).toBe('access-2')
  })

  it('uses the current token when the refresh endpoint answers 503', async () => {
    const { client, server, clock, signedOut } = setup()
    clock.advance(10 * MINUTE - 1_000)
    server.setFailure(503, '/auth/refresh')
    expect(await bearerOf(await client.fetch('/api/me'))).toBe('access-1')
    expect(server.refreshRequests()).toBe(1) // the eager refresh, not a second one after the call
    expect(signedOut).toEqual([])
  })
})

describe('after a 401', () => {
  it('refreshes once and retries once, replaying the body', async () => {
    const { client, server } = setup()
    server.dropAccessTokens()
    const response = await client.fetch('/api/items', { method: 'POST', body: '{"name":"x"}' })
    expect(await response.json()).toMatchObject({ token: 'access-2', body: '{"name":"x"}' })
    expect(server.log).toEqual(['POST /api/items access-1', 'POST /auth/refresh', 'POST /api/items access-2'])
  })

  it('does not loop when the retry is refused too', async () => {
    const { client, server, signedOut } = setup()
    server.rejectEveryAccessToken()
    expect((await client.fetch('/api/me')).status).toBe(401)
    expect(server.log).toEqual(['GET /api/me access-1', 'POST /auth/refresh', 'GET /api/me access-2'])
    expect(signedOut).toEqual([])
  })

  it('shares the refresh among concurrent 401s', async () => {
    const { client, server } = setup()
    server.dropAccessTokens()
    const tokens = await Promise.all(Array.from({ length: 5 }, () => client.fetch('/api/me').then(bearerOf)))
    expect(tokens).toEqual(Array(5).fill('access-2'))
    expect(server.refreshRequests()).toBe(1)
  })
})

describe('sign-in, sign-out and what is sent where', () => {
  it('signs out on the server and locally', async () => {
    const { client, server, signedOut } = setup()
    expect(await client.signOut()).toBe(true)
    expect(server.log).toEqual(['POST /auth/sign-out access-1'])
    expect(client.authSuccess).toBeNull()
    expect(signedOut).toEqual(['signOut'])
    await client.signOut() // already signed out: no request, no second event
    expect(server.log).toHaveLength(1)
    expect(signedOut).toEqual(['signOut'])
  })

  it('signs out everywhere with sign-out-all', async () => {
    const { client, server } = setup()
    await client.signOut({ everywhere: true })
    expect(server.log).toEqual(['POST /auth/sign-out-all access-1'])
  })

  it('clears local state even when the server is unreachable', async () => {
    const { client, server, storage, signedOut } = setup()
    server.setFailure('network')
    expect(await client.signOut()).toBe(false)
    expect(storage.get()).toBeNull()
    expect(signedOut).toEqual(['signOut'])
  })

  it('attaches the token only to URLs under baseUrl', async () => {
    const seen: [string, string | null][] = []
    const client = createAuthClient({
      baseUrl: 'https://api.example.test/v1/',
      fetch: async (request) => (seen.push([request.url, request.headers.get('authorization')]), new Response('{}')),
    })
    client.signIn({ authStrategy: 'session', token: 'secret', tokenExpiresAt: null, refreshToken: null, authUserId: 'u', scopeNames: [], tokenId: 't' })
    await client.fetch('/me')
    await client.fetch('me')
    await client.fetch('https://api.example.test/v1/me')
    await client.fetch('https://api.example.test/v2/me')
    await client.fetch('https://evil.example.test/v1/me')
    await client.fetch('https://api.example.test.evil.example/v1/me')
    expect(seen).toEqual([
      ['https://api.example.test/v1/me', 'Bearer secret'],
      ['https://api.example.test/v1/me', 'Bearer secret'],
      ['https://api.example.test/v1/me', 'Bearer secret'],
      ['https://api.example.test/v2/me', null],
      ['https://evil.example.test/v1/me', null],
      ['https://api.example.test.evil.example/v1/me', null],
    ])
  })

  it('accepts a server-side AuthSuccess with a Date and rejects what is not an AuthSuccess', () => {
    const client = createAuthClient({ baseUrl: 'https://api.example.test' })
    const expiresAt = new Date('2030-01-01T00:00:00.000Z')
    client.signIn({ authStrategy: 'jwt', token: 'a', tokenExpiresAt: expiresAt, refreshToken: 'r', authUserId: 'u', scopeNames: ['x'], tokenId: 't' })
    expect(client.authSuccess?.tokenExpiresAt).toBe('2030-01-01T00:00:00.000Z')
    expect(() => client.signIn({ token: 'a' } as never)).toThrow(TypeError)
    expect(client.authSuccess?.token).toBe('a')
  })

  it('tells listeners about every change, keeps going when one throws, and unsubscribes', async () => {
    const { client, clock } = setup()
    const reported = vi.fn()
    vi.stubGlobal('reportError', reported) // the browser's error reporter; Node has none
    const seen: (string | null)[] = []
    client.onChange(() => { throw new Error('listener bug') })
    const off = client.onChange((authSuccess) => seen.push(authSuccess?.token ?? null))
    clock.advance(10 * MINUTE)
    await client.fetch('/api/me')
    await client.signOut()
    off()
    client.signIn({ authStrategy: 'session', token: 'later', tokenExpiresAt: null, refreshToken: null, authUserId: 'u', scopeNames: [], tokenId: 't' })
    expect(seen).toEqual(['access-2', null])
    expect(reported).toHaveBeenCalledTimes(3) // refresh, sign-out, sign-in: the throwing one is still subscribed
    vi.unstubAllGlobals()
  })
})
