// The demo in DPoP mode (AUTH_MODE=dpop) in real Chromium: the page signs in through the real client with
// `dpop: true`, keeps every token in localStorage bound to its IndexedDB key, and stays signed in across
// several 2 s access-token lifetimes, refreshing with proofs. Then the tokens are copied out of the page, as
// an injected script could, and replayed from Node: without the browser's key none of them works, and the
// page that owns them is not locked out.
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuthSuccessJson } from '../../src/client/index.ts'
import { dpopKey, proofAt } from '../support/dpop.ts'
import { launchChromium } from './chromium.ts'
import { callApi, callApiFor, expiresAt, signIn, untilRefreshWindow } from './demo-page.ts'
import { startDemo } from './demo-server.ts'
import { createDemoServices } from '../../demo/services.ts'

const lifetimeMs = 2_000
const refreshBeforeMs = Math.floor(lifetimeMs / 3) // what the demo tells its page
const storageKey = 'edge-token-managers.auth' // localStorageStorage()'s default
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

let demo: Awaited<ReturnType<typeof startDemo>>
let browser: Browser

beforeAll(async () => {
  ;[demo, browser] = await Promise.all([startDemo({ accessTokenLifetime: '2s', authMode: 'dpop' }), launchChromium()])
})
afterAll(async () => {
  await browser?.close()
  await demo?.close()
})

interface Seen { method: string; path: string; status: number; headers: Record<string, string> }

/** A tab on the demo that records each of its requests to the demo (with all headers) and their statuses. */
async function recordedTab(): Promise<{ page: Page; seen: () => Promise<Seen[]> }> {
  const page = await (await browser.newContext()).newPage()
  const pending: Promise<Seen>[] = []
  page.on('response', (response) => {
    const url = new URL(response.url())
    if (url.origin !== demo.url) return
    const request = response.request()
    pending.push(request.allHeaders().then((headers) => ({ method: request.method(), path: url.pathname, status: response.status(), headers })))
  })
  await page.goto(demo.url)
  return { page, seen: () => Promise.all(pending) }
}

/** The sign-in the page keeps in localStorage, as a script running in the page can read it. */
async function storedSignIn(page: Page): Promise<AuthSuccessJson> {
  const raw = await page.evaluate((key) => localStorage.getItem(key), storageKey)
  expect(raw).not.toBeNull()
  return JSON.parse(raw!) as AuthSuccessJson
}

describe('demo page in Chromium (DPoP mode)', () => {
  it('the page shows the binding and offers no personal access tokens; a session sign-in is bound too', async () => {
    const { page } = await recordedTab()
    expect(await page.evaluate(() => document.documentElement.dataset.authMode)).toBe('dpop')
    await signIn(page, 'dpop-session-user', { kind: 'session' })
    expect(await page.getByTestId('pat-section').isHidden()).toBe(true)
    expect(await page.getByTestId('auth-binding').textContent()).toContain('DPoP key')
    const session = await storedSignIn(page)
    expect(session).toMatchObject({ authStrategy: 'session', refreshToken: null, dpopJkt: expect.any(String) })
    expect(await callApiFor(page)).toMatchObject({ status: 200, body: { tokenIssuer: 'session', dpopJkt: session.dpopJkt } })
    const copied = await fetch(`${demo.url}/api/me`, { headers: { authorization: `Bearer ${session.token}` } })
    expect(copied.status).toBe(401)
  })

  it('an AUTH_MODE the demo does not know stops it at start-up, naming the variable', () => {
    expect(() => createDemoServices(demo.services.storage, { AUTH_MODE: 'dpop-please' })).toThrow(/^AUTH_MODE must be 'cookie' or 'dpop'/)
  })

  it('API clients need proofs too: sign-in without one is refused, cookies are not offered, PATs are off', async () => {
    const signInUrl = `${demo.url}/api/sign-in`
    const body = (extra: object = {}) => JSON.stringify({ username: 'node-client', kind: 'jwt', ...extra })
    const json = { 'content-type': 'application/json' }
    const key = await dpopKey()
    const proof = (method: string, url: string, accessToken?: string) =>
      proofAt(key, () => new Date(), { method, url, ...(accessToken && { accessToken }) })
    const unproven = await fetch(signInUrl, { method: 'POST', headers: json, body: body() })
    expect({ status: unproven.status, ...(await unproven.json()) }).toMatchObject({ status: 400, code: 'ERR_DPOP_PROOF_MISSING' })
    const cookie = await fetch(signInUrl, { method: 'POST', headers: { ...json, dpop: await proof('POST', signInUrl) }, body: body({ tokens: 'cookie' }) })
    expect({ status: cookie.status, ...(await cookie.json()) }).toMatchObject({ status: 400, code: 'ERR_INVALID_TOKENS' })
    const signedIn = await fetch(signInUrl, { method: 'POST', headers: { ...json, dpop: await proof('POST', signInUrl) }, body: body() })
    expect(signedIn.status).toBe(200)
    expect(signedIn.headers.get('set-cookie')).toBeNull()
    const { token, dpopJkt } = (await signedIn.json()) as AuthSuccessJson
    expect(dpopJkt).toBeTruthy()
    const patsUrl = `${demo.url}/api/pats`
    const pat = await fetch(patsUrl, {
      method: 'POST', headers: { ...json, authorization: `DPoP ${token}`, dpop: await proof('POST', patsUrl, token!) }, body: '{"name":"CI"}',
    })
    expect({ status: pat.status, ...(await pat.json()) }).toMatchObject({ status: 400, code: 'ERR_PATS_NEED_COOKIE_MODE' })
  })

  it('stays signed in across several access-token expiries with proofs; copied tokens replayed from Node are refused and the page keeps working', async () => {
    const { page, seen } = await recordedTab()
    await signIn(page, 'dpop-user')
    const signedIn = await storedSignIn(page)
    expect(signedIn.dpopJkt).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(signedIn.refreshToken).toBeTruthy()
    expect(await page.context().cookies()).toEqual([]) // nothing in cookies: all of it is in storage

    // Keep calling /api/me through 3.5 access-token lifetimes: every call succeeds, refreshing as needed.
    const firstExpiry = Date.parse(signedIn.tokenExpiresAt!)
    const until = firstExpiry + 2.5 * lifetimeMs
    const statuses: number[] = []
    const expiries = new Set<string>([signedIn.tokenExpiresAt!])
    while (Date.now() < until) {
      const { status, body } = await callApiFor(page)
      statuses.push(status)
      expect(body).toMatchObject({ userIdentifier: 'dpop-user', dpopJkt: signedIn.dpopJkt })
      expiries.add(await expiresAt(page))
      await sleep(300)
    }
    expect(statuses.length).toBeGreaterThanOrEqual(10)
    expect(statuses.every((status) => status === 200)).toBe(true)
    // At least 3 access tokens have expired on the way (the sign-in's and at least two refreshed ones).
    expect([...expiries].filter((iso) => Date.parse(iso) < Date.now()).length).toBeGreaterThanOrEqual(3)

    let requests = await seen()
    const refreshes = requests.filter((r) => r.method === 'POST' && r.path === '/auth/refresh')
    expect(refreshes.length).toBeGreaterThanOrEqual(3)
    expect(refreshes.map((r) => r.status)).toEqual(refreshes.map(() => 200))
    expect(demo.statuses('POST', '/auth/refresh')).toEqual(refreshes.map(() => 200)) // the server saw the same
    // Every request carried a proof; the bound access token went with the DPoP scheme, never as Bearer.
    const signInRequest = requests.find((r) => r.path === '/api/sign-in')!
    expect(signInRequest.headers.dpop).toBeTruthy()
    for (const request of refreshes) expect(request.headers.dpop).toBeTruthy()
    const apiCalls = requests.filter((r) => r.path === '/api/me')
    expect(apiCalls.length).toBe(statuses.length)
    for (const request of apiCalls) {
      expect(request.headers.authorization).toMatch(/^DPoP /)
      expect(request.headers.dpop).toBeTruthy()
    }
    expect(await page.getByTestId('refresh-count').textContent()).toBe(String(refreshes.length))

    // Refresh now, so the copied access token has most of its 2 s left: refused for its binding, not its age.
    await untilRefreshWindow(page, refreshBeforeMs)
    expect(await callApi(page)).toBe(200)
    const copied = await storedSignIn(page)
    expect(copied.token).not.toBe(signedIn.token)
    const token = copied.token!
    const me = `${demo.url}/api/me`
    const refreshUrl = `${demo.url}/auth/refresh`
    const nodeKey = await dpopKey()
    const proof = (method: string, url: string, accessToken?: string) =>
      proofAt(nodeKey, () => new Date(), { method, url, ...(accessToken && { accessToken }) })
    const json = { 'content-type': 'application/json' }
    const refreshBody = JSON.stringify({ refreshToken: copied.refreshToken })

    const answers = {
      bearer: await fetch(me, { headers: { authorization: `Bearer ${token}` } }),
      dpopNodeKey: await fetch(me, { headers: { authorization: `DPoP ${token}`, dpop: await proof('GET', me, token) } }),
      refreshWithoutProof: await fetch(refreshUrl, { method: 'POST', headers: json, body: refreshBody }),
      refreshNodeKey: await fetch(refreshUrl, { method: 'POST', headers: { ...json, dpop: await proof('POST', refreshUrl) }, body: refreshBody }),
      oauthFormNodeKey: await fetch(refreshUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: await proof('POST', refreshUrl) },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: copied.refreshToken! }),
      }),
    }
    const replayedBy = Date.now()
    const outcome = Object.fromEntries(await Promise.all(Object.entries(answers).map(async ([name, response]) =>
      [name, { status: response.status, ...((await response.json()) as object) }])))
    expect(outcome).toMatchObject({
      bearer: { status: 401, error: 'invalid_token' },
      dpopNodeKey: { status: 401, error: 'invalid_token' },
      refreshWithoutProof: { status: 400, error: 'invalid_dpop_proof', code: 'ERR_DPOP_PROOF_MISSING' },
      refreshNodeKey: { status: 400, error: 'invalid_grant', code: 'ERR_DPOP_KEY_MISMATCH' },
      oauthFormNodeKey: { status: 400, error: 'invalid_grant' },
    })
    expect(answers.bearer.headers.get('www-authenticate')).toContain('DPoP')
    // The access token was still live through every replay: only the missing key got them refused.
    expect(Date.parse(copied.tokenExpiresAt!)).toBeGreaterThan(replayedBy)

    // The victim is not locked out: the copied pair is still its own and keeps working, refresh included.
    expect(await storedSignIn(page)).toMatchObject({ token, refreshToken: copied.refreshToken })
    expect(await callApi(page)).toBe(200)
    await sleep(Date.parse(copied.tokenExpiresAt!) - Date.now() + 200) // past the copied access token's expiry
    const before = (await seen()).filter((r) => r.path === '/auth/refresh').length
    expect(await callApi(page)).toBe(200)
    requests = await seen()
    expect(requests.filter((r) => r.path === '/auth/refresh').slice(before).map((r) => r.status)).toEqual([200])
    expect((await storedSignIn(page)).refreshToken).not.toBe(copied.refreshToken) // rotated by its owner
    expect(await page.getByTestId('sign-in-view').isHidden()).toBe(true)
    // No reuse detected: the refused replays touched nothing of the sign-in.
    await page.getByTestId('load-activity').click()
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="activity-row"]').length > 0)
    expect(await page.getByTestId('reuse-banner').isHidden()).toBe(true)
  })
})
