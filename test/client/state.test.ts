// The client's state module: a read never notifies, each change is announced once, and only a sign-in
// that ends is reported to onSignedOut, with the reason of what ended it (never 'signOut' for a sign-in).
import { describe, expect, it } from 'vitest'
import { createAuthClient, memoryStorage, type AuthStorage, type AuthSuccessJson } from '../../src/client/index.ts'
import { clientState } from '../../src/client/state.ts'

const signIn = (token: string): AuthSuccessJson => ({
  authStrategy: 'jwt', token, tokenExpiresAt: '2030-01-01T00:00:00.000Z', refreshToken: `r-${token}`, authUserId: 'u', scopeNames: [], tokenId: 't',
})

function recorded(storage: AuthStorage) {
  const events: string[] = []
  const state = clientState(storage, ({ reason, code }) => events.push(`signedOut ${reason}${code ? ` ${code}` : ''}`))
  state.onChange((value) => events.push(`change ${value?.token ?? null}`))
  return { state, events }
}

describe('clientState', () => {
  it('reads without notifying, even after someone else changed storage; notify announces that change once', () => {
    const storage = memoryStorage()
    const { state, events } = recorded(storage)
    storage.set(signIn('a')) // another client on the same storage
    expect(state.read()?.token).toBe('a')
    expect(state.read()?.token).toBe('a')
    expect(events).toEqual([])
    expect(state.notify()?.token).toBe('a')
    state.notify()
    expect(events).toEqual(['change a'])
    storage.set(null)
    state.read()
    expect(events).toEqual(['change a'])
    state.notify()
    expect(events).toEqual(['change a', 'change null', 'signedOut elsewhere'])
  })

  it('announces a write once and a clear with its reason and code', () => {
    const { state, events } = recorded(memoryStorage())
    state.write(signIn('a'))
    state.write(signIn('a'))
    state.write(signIn('b'))
    state.clear('rejected', 'ERR_REFRESH_TOKEN_REUSED')
    state.clear('signOut')
    expect(events).toEqual(['change a', 'change b', 'change null', 'signedOut rejected ERR_REFRESH_TOKEN_REUSED'])
  })

  it('a sign-in that another tab undoes at once is reported as elsewhere, never as signOut', () => {
    let value: AuthSuccessJson | null = signIn('old')
    // Another tab signs out in the very moment this one writes its new sign-in.
    const racing: AuthStorage = { get: () => value, set: (next) => void (value = next && null) }
    const { state, events } = recorded(racing)
    state.write(signIn('new'))
    expect(events).toEqual(['change null', 'signedOut elsewhere'])
  })
})

describe('createAuthClient state', () => {
  it('client.authSuccess is a plain read: listeners hear changes from fetch and sign-in, not from reading', async () => {
    const storage = memoryStorage()
    const signedOut: string[] = []
    const client = createAuthClient({ baseUrl: 'https://api.example', storage, fetch: async () => new Response(null, { status: 204 }), onSignedOut: ({ reason }) => signedOut.push(reason) })
    const seen: (string | null)[] = []
    client.onChange((value) => seen.push(value?.token ?? null))
    storage.set(signIn('elsewhere'))
    expect(client.authSuccess?.token).toBe('elsewhere')
    expect(seen).toEqual([])
    await client.fetch('/api/x')
    expect(seen).toEqual(['elsewhere'])
    client.signIn(signIn('mine'))
    expect(seen).toEqual(['elsewhere', 'mine'])
    await client.signOut()
    expect(seen).toEqual(['elsewhere', 'mine', null])
    expect(signedOut).toEqual(['signOut'])
  })
})
