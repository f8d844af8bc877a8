// The demo page in real Chromium, driving the real client against the real demo server. Access tokens
// live 2 s here, so the page refreshes every ~1.4 s of use (it refreshes when < lifetime/3 remains).
// Browser and server share the machine's real clock: waits are computed from the stored expiry.
import { mkdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from './chromium.ts'
import { startDemo } from './demo-server.ts'

const storageKey = 'edge-token-managers-demo' // demo/page/app.ts
const refreshLock = `edge-token-managers.refresh:${storageKey}`
const refreshBeforeMs = Math.floor(2_000 / 3)

let demo: Awaited<ReturnType<typeof startDemo>>
let browser: Browser
const contexts: BrowserContext[] = []

beforeAll(async () => {
  ;[demo, browser] = await Promise.all([startDemo({ accessTokenLifetime: '2s' }), launchChromium()])
})
afterAll(async () => {
  await browser?.close()
  await demo?.close()
})

async function newTab(context?: BrowserContext): Promise<Page> {
  if (!context) contexts.push((context = await browser.newContext()))
  const page = await context.newPage()
  await page.goto(demo.url)
  return page
}

async function signIn(page: Page, username: string, options: { kind?: 'jwt' | 'session'; device?: string } = {}): Promise<void> {
  await page.getByTestId('sign-in-username').fill(username)
  if (options.device) await page.getByTestId('sign-in-device').fill(options.device)
  await page.getByTestId('sign-in-kind').selectOption(options.kind ?? 'jwt')
  await page.getByTestId('sign-in-submit').click()
  await page.getByTestId('signed-in-view').waitFor({ state: 'visible' })
}

/**
 * Clicks "Call GET /api/me" and returns the status the page shows. The click is dispatched in the page:
 * Playwright's own click waits for a rendered frame, which a background tab may not produce for a second.
 */
async function callApi(page: Page, { at = 0 } = {}): Promise<number> {
  const result = page.getByTestId('api-result')
  await result.evaluate((element) => void (element.textContent = ''))
  // `at` (epoch ms): tabs given the same `at` click within a millisecond or two of each other.
  await page.getByTestId('call-api').evaluate((button, at) => void setTimeout(() => (button as HTMLElement).click(), at - Date.now()), at)
  await page.waitForFunction((element) => element?.textContent !== '', await result.elementHandle())
  return Number((await result.textContent())!.split(' ')[0])
}

const stored = (page: Page) => page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? 'null'), storageKey) as Promise<{ token: string; tokenExpiresAt: string } | null>

/** Waits (real time) until the page's access token is inside its refresh window. */
async function untilRefreshWindow(page: Page): Promise<void> {
  const { tokenExpiresAt } = (await stored(page))!
  const wait = Date.parse(tokenExpiresAt) - refreshBeforeMs * 0.75 - Date.now()
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
}

const refreshStatuses = () => demo.statuses('POST', '/auth/refresh')

describe('demo page in Chromium', () => {
  it('keeps working across several access-token expiries, refreshing once per expiry', async () => {
    const page = await newTab()
    await signIn(page, 'expiry-user')
    const before = refreshStatuses().length
    const tokens = new Set([(await stored(page))!.token])
    for (let round = 0; round < 3; round++) {
      await untilRefreshWindow(page)
      expect(await callApi(page)).toBe(200) // refreshes first
      expect(await callApi(page)).toBe(200) // fresh token: no refresh
      tokens.add((await stored(page))!.token)
    }
    expect(tokens.size).toBe(4)
    expect(refreshStatuses().slice(before)).toEqual([200, 200, 200])
    expect(await page.getByTestId('refresh-count').textContent()).toBe('3')
  })

  it('two tabs at once: one rotation (Web Locks), neither signed out', async () => {
    const first = await newTab()
    await signIn(first, 'two-tabs-user')
    const second = await newTab(first.context())
    await second.getByTestId('signed-in-view').waitFor({ state: 'visible' }) // signed in from localStorage
    expect(await second.evaluate(() => typeof navigator.locks?.request)).toBe('function')
    for (let round = 0; round < 3; round++) {
      const before = refreshStatuses().length
      await untilRefreshWindow(first)
      const at = Date.now() + 100
      expect(await Promise.all([callApi(first, { at }), callApi(second, { at })])).toEqual([200, 200])
      expect(refreshStatuses().slice(before)).toEqual([200])
      expect((await stored(first))!.token).toBe((await stored(second))!.token)
    }
    for (const page of [first, second]) expect(await page.getByTestId('sign-in-view').isHidden()).toBe(true)
  })

  it('"sign out everywhere" in one tab sends the other tabs and devices to the sign-in view', async () => {
    const tab = await newTab()
    await signIn(tab, 'everywhere-user')
    const sameBrowserTab = await newTab(tab.context())
    const jwtDevice = await newTab()
    await signIn(jwtDevice, 'everywhere-user', { device: 'Phone' })
    const sessionDevice = await newTab()
    await signIn(sessionDevice, 'everywhere-user', { kind: 'session', device: 'Tablet' })

    await tab.getByTestId('sign-out-everywhere').click()
    await tab.getByTestId('sign-in-view').waitFor({ state: 'visible' })
    // Same browser: the shared storage was cleared, the other tab hears it at once.
    await sameBrowserTab.getByTestId('sign-in-view').waitFor({ state: 'visible' })
    expect(demo.statuses('POST', '/auth/sign-out-all')).toEqual([204])
    // A revoked session is refused on its next call.
    expect(await callApi(sessionDevice)).toBe(401)
    await sessionDevice.getByTestId('sign-in-view').waitFor({ state: 'visible' })
    // A JWT device keeps its (stateless) access token until it expires; its refresh is then refused.
    await untilRefreshWindow(jwtDevice)
    const before = refreshStatuses().length
    await jwtDevice.getByTestId('call-api').evaluate((button) => (button as HTMLElement).click())
    await jwtDevice.getByTestId('sign-in-view').waitFor({ state: 'visible' })
    expect(refreshStatuses().slice(before)).toEqual([400])
    expect(await jwtDevice.getByTestId('status').textContent()).toContain('sign-in ended')
    expect(await jwtDevice.evaluate((key) => localStorage.getItem(key), storageKey)).toBeNull()
  })

  it('a tab stuck holding the refresh lock delays the others by the bounded wait, never forever', async () => {
    const stuck = await newTab()
    await signIn(stuck, 'stuck-lock-user')
    const other = await newTab(stuck.context())
    await other.getByTestId('signed-in-view').waitFor({ state: 'visible' })
    // As a tab frozen mid-refresh would: take the lock and never let go.
    await stuck.evaluate((name) => void navigator.locks.request(name, () => new Promise(() => {})), refreshLock)
    await untilRefreshWindow(other)
    const before = refreshStatuses().length
    const started = Date.now()
    expect(await callApi(other)).toBe(200)
    expect(Date.now() - started).toBeGreaterThanOrEqual(9_000) // webLocks' default maxWaitMs is 10 s
    expect(refreshStatuses().slice(before)).toEqual([200])
  })

  it('renders the token list (screenshot in test/artifacts/)', async () => {
    const page = await newTab()
    await page.setViewportSize({ width: 1100, height: 800 })
    await signIn(await newTab(page.context()), 'screenshot-user', { device: 'Work laptop' })
    await signIn(await newTab(), 'screenshot-user', { kind: 'session', device: 'Phone' })
    await page.reload()
    await page.getByTestId('pat-name').fill('CI deploys')
    await page.getByTestId('pat-submit').click()
    await page.getByTestId('pat-result').waitFor({ state: 'visible' })
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="token-row"]').length === 3)
    const kinds = await page.getByTestId('token-row').evaluateAll((rows) => rows.map((row) => row.querySelector('td')!.textContent))
    expect(kinds.sort()).toEqual(['JWT (PAT)', 'JWT · this device', 'session'])
    const artifacts = fileURLToPath(new URL('../artifacts/', import.meta.url))
    await mkdir(artifacts, { recursive: true })
    await page.screenshot({ path: `${artifacts}token-list.png`, fullPage: true })
  })
})
