// Tabs of one origin: shared storage (like localStorage, whose `storage` event reaches only the *other*
// tabs) and an exclusive lock (like Web Locks). The real localStorage and navigator.locks are exercised
// in Chromium by test/browser.
import { describe, expect, it } from 'vitest'
import { createAuthClient, noLock, webLocks, type RefreshLock, type SignOutReason } from '../../src/client/index.ts'
import { testClock } from '../support/auth.ts'
import { scriptedServer } from './scripted-server.ts'
import { inProcessLocks, sharedArea } from './tabs.ts'

const MINUTE = 60_000

function openTabs(count: number, lock: RefreshLock, { propagationMs = 0 } = {}) {
  const clock = testClock()
  const server = scriptedServer(clock)
  const area = sharedArea({ propagationMs })
  const tabs = Array.from({ length: count }, () => {
    const signedOut: SignOutReason[] = []
    const seen: (string | null)[] = []
    const client = createAuthClient({
      baseUrl: 'https://app.example.test', storage: area.tab(), clock, fetch: server.fetch, lock,
      onSignedOut: ({ reason }) => signedOut.push(reason),
    })
    client.onChange((authSuccess) => seen.push(authSuccess?.token ?? null))
    return { client, signedOut, seen }
  })
  tabs[0]!.client.signIn(server.issue())
  return { clock, server, tabs }
}

describe('tabs sharing one sign-in', () => {
  it('refresh in one tab at a time: the others take the result, one rotation in all', async () => {
    const { clock, server, tabs } = openTabs(3, inProcessLocks())
    clock.advance(10 * MINUTE - 10_000)
    const tokens = await Promise.all(tabs.flatMap(({ client }) => [client.fetch('/a'), client.fetch('/b')]).map((p) => p.then(async (r) => ((await r.json()) as { token: string }).token)))
    expect(tokens).toEqual(Array(6).fill('access-2'))
    expect(server.refreshRequests()).toBe(1)
    for (const tab of tabs) expect(tab.signedOut).toEqual([])
  })

  it('a tab granted the lock before the winner’s write reached it waits for that write instead of refreshing again', async () => {
    const { clock, server, tabs } = openTabs(3, inProcessLocks(), { propagationMs: 20 })
    await new Promise((resolve) => setTimeout(resolve, 30)) // the sign-in reaches every tab
    clock.advance(10 * MINUTE - 10_000)
    const tokens = await Promise.all(tabs.map(({ client }) => client.fetch('/a').then(async (r) => ((await r.json()) as { token: string }).token)))
    expect(tokens).toEqual(Array(3).fill('access-2'))
    expect(server.refreshRequests()).toBe(1)
  })

  it('tells the other tabs about a refresh as it happens', async () => {
    const { clock, tabs } = openTabs(2, inProcessLocks())
    clock.advance(10 * MINUTE)
    await tabs[0]!.client.fetch('/a')
    expect(tabs[1]!.seen).toEqual(['access-1', 'access-2'])
  })

  it('signing out in one tab signs the others out ("elsewhere") without a request of theirs', async () => {
    const { server, tabs } = openTabs(2, inProcessLocks())
    await tabs[0]!.client.signOut({ everywhere: true })
    expect(tabs[0]!.signedOut).toEqual(['signOut'])
    expect(tabs[1]!.signedOut).toEqual(['elsewhere'])
    expect(tabs[1]!.client.authSuccess).toBeNull()
    expect(server.log).toEqual(['POST /auth/sign-out-all access-1'])
  })

  it('a tab that waited for the lock while another signed out does not resurrect the sign-in', async () => {
    const { clock, server, tabs } = openTabs(2, inProcessLocks())
    clock.advance(10 * MINUTE)
    server.revokeAll()
    const [a, b] = await Promise.all([tabs[0]!.client.fetch('/a'), tabs[1]!.client.fetch('/b')])
    expect([a.status, b.status]).toEqual([401, 401])
    expect(server.refreshRequests()).toBe(1)
    expect(tabs.map((tab) => tab.signedOut)).toEqual([['rejected'], ['elsewhere']])
  })

  it('without a lock each tab refreshes itself (the server’s grace window makes that safe; see real-routes)', async () => {
    const { clock, server, tabs } = openTabs(2, noLock)
    clock.advance(10 * MINUTE)
    await Promise.all(tabs.map(({ client }) => client.fetch('/a')))
    expect(server.refreshRequests()).toBe(2)
  })
})

describe('webLocks', () => {
  it('is noLock where navigator.locks is missing (Node), so it cannot wait forever', () => {
    expect((globalThis.navigator as { locks?: unknown }).locks).toBeUndefined()
    expect(webLocks()).toBe(noLock)
  })
})
