// The demo page in real Chromium, driving the real client in cookie mode against the real demo server.
// Access tokens live 2 s here, so the page refreshes every ~1.4 s of use (it refreshes when < lifetime/3
// remains). Browser and server share the machine's real clock: waits are computed from the page's expiry.
import { mkdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from './chromium.ts'
import { callApi, expiresAt, signIn, tokenCookie, untilRefreshWindow as untilWindow } from './demo-page.ts'
import { startDemo } from './demo-server.ts'

const refreshBeforeMs = Math.floor(2_000 / 3)

let demo: Awaited<ReturnType<typeof startDemo>>
let browser: Browser

beforeAll(async () => {
  ;[demo, browser] = await Promise.all([startDemo({ accessTokenLifetime: '2s' }), launchChromium()])
})
afterAll(async () => {
  await browser?.close()
  await demo?.close()
})

async function newTab(context?: BrowserContext): Promise<Page> {
  const page = await (context ?? (await browser.newContext())).newPage()
  await page.goto(demo.url)
  return page
}

const untilRefreshWindow = (page: Page) => untilWindow(page, refreshBeforeMs)
const refreshStatuses = () => demo.statuses('POST', '/auth/refresh')

describe('demo page in Chromium (cookie mode)', () => {
  it('keeps working across several access-token expiries, refreshing once per expiry', async () => {
    const page = await newTab()
    await signIn(page, 'expiry-user')
    const before = refreshStatuses().length
    const expiries = new Set([await expiresAt(page)])
    for (let round = 0; round < 3; round++) {
      await untilRefreshWindow(page)
      expect(await callApi(page)).toBe(200) // refreshes first
      expect(await callApi(page)).toBe(200) // fresh token: no refresh
      expiries.add(await expiresAt(page))
    }
    expect(expiries.size).toBe(4)
    expect(refreshStatuses().slice(before)).toEqual([200, 200, 200])
    expect(await page.getByTestId('refresh-count').textContent()).toBe('3')
  })

  it('keeps the refresh and session tokens in HttpOnly, Secure, SameSite cookies', async () => {
    const jwtPage = await newTab()
    await signIn(jwtPage, 'cookie-user')
    const refresh = await tokenCookie(jwtPage.context(), '__Host-refresh')
    expect(refresh).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/' })
    expect(refresh!.expires * 1000 - Date.now()).toBeGreaterThan(13 * 86_400_000)
    const sessionPage = await newTab()
    await signIn(sessionPage, 'cookie-user', { kind: 'session' })
    expect(await tokenCookie(sessionPage.context(), '__Host-session')).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' })
    expect(await callApi(sessionPage)).toBe(200)
  })

  for (const kind of ['jwt', 'session'] as const) {
    it(`an injected script (XSS) finds no ${kind === 'jwt' ? 'refresh' : 'session'} token: not in cookies, storage, responses or broadcasts`, async () => {
      const context = await browser.newContext()
      // The attacker's script runs before the app's: it sees every response body and broadcast from the start.
      await context.addInitScript(() => {
        const loot: string[] = []
        ;(window as unknown as { loot: string[] }).loot = loot
        const realFetch = window.fetch
        window.fetch = async (...args: Parameters<typeof fetch>) => {
          const response = await realFetch(...args)
          loot.push(await response.clone().text())
          return response
        }
        const channel = new BroadcastChannel(`edge-token-managers.auth:${location.origin}`)
        channel.onmessage = (event) => void loot.push(JSON.stringify(event.data))
      })
      const page = await newTab(context)
      await signIn(page, `xss-${kind}`, { kind })
      const secrets = new Set<string>()
      const collectSecret = async () => {
        const cookie = await tokenCookie(page.context(), kind === 'jwt' ? '__Host-refresh' : '__Host-session')
        if (cookie) secrets.add(cookie.value)
      }
      await collectSecret()
      for (let round = 0; round < 2; round++) {
        if (kind === 'jwt') await untilRefreshWindow(page)
        expect(await callApi(page)).toBe(200)
        await collectSecret()
      }
      // The script's own attempts: read what scripts can read, and call the refresh route itself.
      const loot = await page.evaluate(async () => {
        const loot = (window as unknown as { loot: string[] }).loot
        const refreshed = await fetch('/auth/refresh', { method: 'POST' })
        loot.push(await refreshed.text())
        loot.push(document.cookie, JSON.stringify({ ...localStorage }), JSON.stringify({ ...sessionStorage }))
        loot.push(document.documentElement.outerHTML)
        return loot.join('\n')
      })
      await collectSecret()
      expect(secrets.size).toBe(kind === 'jwt' ? 4 : 1) // three rotations for a JWT, one session token
      for (const secret of secrets) expect(loot).not.toContain(secret)
      expect(loot).toContain(`xss-${kind}`) // the loot is real: it holds what the page was told
    })
  }

  it('two tabs at once: one rotation (Web Locks, broadcast), neither signed out', async () => {
    const first = await newTab()
    await signIn(first, 'two-tabs-user')
    const second = await newTab(first.context())
    await second.getByTestId('signed-in-view').waitFor({ state: 'visible' }) // resumed from the cookie
    expect(await second.evaluate(() => typeof navigator.locks?.request)).toBe('function')
    for (let round = 0; round < 3; round++) {
      await untilRefreshWindow(first)
      const before = refreshStatuses().length
      const at = Date.now() + 100
      expect(await Promise.all([callApi(first, { at }), callApi(second, { at })])).toEqual([200, 200])
      expect(refreshStatuses().slice(before)).toEqual([200])
      expect(await expiresAt(first)).toBe(await expiresAt(second))
    }
    for (const page of [first, second]) expect(await page.getByTestId('sign-in-view').isHidden()).toBe(true)
  })

  it('a tab frozen through two rotations wakes, refreshes at most once and stays signed in', async () => {
    const awake = await newTab()
    await signIn(awake, 'sleepy-user')
    const sleeper = await newTab(awake.context())
    await sleeper.getByTestId('signed-in-view').waitFor({ state: 'visible' })
    // As the browser freezes a background tab: no timers, no tasks, no messages handled.
    const cdp = await awake.context().newCDPSession(sleeper)
    await cdp.send('Page.setWebLifecycleState', { state: 'frozen' })
    for (let round = 0; round < 2; round++) {
      await untilRefreshWindow(awake)
      expect(await callApi(awake)).toBe(200)
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000)) // the sleeper's access token is long expired
    const before = refreshStatuses().length
    await cdp.send('Page.setWebLifecycleState', { state: 'active' })
    expect(await callApi(sleeper)).toBe(200)
    expect(refreshStatuses().slice(before).length).toBeLessThanOrEqual(1)
    expect(refreshStatuses().slice(before).every((status) => status === 200)).toBe(true)
    for (const page of [awake, sleeper]) expect(await page.getByTestId('sign-in-view').isHidden()).toBe(true)
  })

  it('"sign out everywhere" in one tab sends the other tabs and devices to the sign-in view', async () => {
    const tab = await newTab()
    await signIn(tab, 'everywhere-user')
    const sameBrowserTab = await newTab(tab.context())
    await sameBrowserTab.getByTestId('signed-in-view').waitFor({ state: 'visible' })
    const jwtDevice = await newTab()
    await signIn(jwtDevice, 'everywhere-user', { device: 'Phone' })
    const sessionDevice = await newTab()
    await signIn(sessionDevice, 'everywhere-user', { kind: 'session', device: 'Tablet' })

    await tab.getByTestId('sign-out-everywhere').click()
    await tab.getByTestId('sign-in-view').waitFor({ state: 'visible' })
    // Same browser: the broadcast reaches the other tab at once, and the cookie is gone.
    await sameBrowserTab.getByTestId('sign-in-view').waitFor({ state: 'visible' })
    expect(await tokenCookie(tab.context(), '__Host-refresh')).toBeUndefined()
    expect(demo.statuses('POST', '/auth/sign-out-all')).toEqual([204])
    // A revoked session is refused on its next call, and its cookie cleared.
    expect(await callApi(sessionDevice)).toBe(401)
    await sessionDevice.getByTestId('sign-in-view').waitFor({ state: 'visible' })
    expect(await tokenCookie(sessionDevice.context(), '__Host-session')).toBeUndefined()
    // A JWT device keeps its (stateless) access token until it expires; its refresh is then refused.
    await untilRefreshWindow(jwtDevice)
    const before = refreshStatuses().length
    await jwtDevice.getByTestId('call-api').evaluate((button) => (button as HTMLElement).click())
    await jwtDevice.getByTestId('sign-in-view').waitFor({ state: 'visible' })
    expect(refreshStatuses().slice(before)).toEqual([400])
    expect(await jwtDevice.getByTestId('status').textContent()).toContain('sign-in ended')
    expect(await tokenCookie(jwtDevice.context(), '__Host-refresh')).toBeUndefined()
  })

  it('a cross-site form POST to refresh or sign-out is refused and changes nothing', async () => {
    const victim = await newTab()
    await signIn(victim, 'csrf-victim')
    const refreshCookie = (await tokenCookie(victim.context(), '__Host-refresh'))!.value
    const attacker = await victim.context().newPage()
    // Another site (served by the test): one auto-submitting form per target, in the victim's browser. A
    // text/plain form can send a JSON body: the sign-in one would sign the victim in as the attacker.
    await attacker.route('http://attacker.test/**', (route) => {
      const target = new URL(route.request().url()).searchParams.get('target')!
      const field = target.endsWith('/api/sign-in')
        ? `<input type="hidden" name='{"username":"attacker","kind":"jwt","pad":"' value='"}'>`
        : '<input type="hidden" name="refreshToken" value="x">'
      return route.fulfill({
        contentType: 'text/html',
        body: `<form method="POST" enctype="text/plain" action="${target}">${field}</form><script>document.forms[0].submit()</script>`,
      })
    })
    for (const path of ['/auth/refresh', '/auth/sign-out', '/auth/sign-out-all', '/api/sign-in']) {
      const answer = attacker.waitForResponse((response) => response.url() === `${demo.url}${path}`)
      await attacker.goto(`http://attacker.test/?target=${encodeURIComponent(`${demo.url}${path}`)}`)
      const response = await answer
      expect(response.status(), path).toBe(403)
      expect(await response.json()).toMatchObject({ code: 'ERR_CROSS_SITE_REQUEST' })
      expect(await response.headerValue('set-cookie'), path).toBeNull()
    }
    expect((await tokenCookie(victim.context(), '__Host-refresh'))!.value).toBe(refreshCookie) // nothing rotated or cleared
    await untilRefreshWindow(victim)
    expect(await callApi(victim)).toBe(200)
    expect(await victim.getByTestId('sign-in-view').isHidden()).toBe(true)
  })

  it('signing out offline clears the page at once and finishes on the server when the page is next opened', async () => {
    const page = await newTab()
    await signIn(page, 'offline-user')
    await page.context().setOffline(true)
    await page.getByTestId('sign-out').click()
    await page.getByTestId('sign-in-view').waitFor({ state: 'visible' })
    expect(await tokenCookie(page.context(), '__Host-refresh')).toBeDefined() // only the server can clear it
    await page.context().setOffline(false)
    const signOuts = demo.statuses('POST', '/auth/sign-out').length
    await page.reload()
    await page.waitForFunction(() => document.querySelector('[data-testid="sign-in-view"]')?.hasAttribute('hidden') === false)
    await expect.poll(() => demo.statuses('POST', '/auth/sign-out').slice(signOuts)).toEqual([204])
    expect(await tokenCookie(page.context(), '__Host-refresh')).toBeUndefined()
    expect(await page.getByTestId('signed-in-view').isHidden()).toBe(true)
  })

  it('a tab stuck holding the refresh lock delays the others by the bounded wait, never forever', async () => {
    const stuck = await newTab()
    await signIn(stuck, 'stuck-lock-user')
    const other = await newTab(stuck.context())
    await other.getByTestId('signed-in-view').waitFor({ state: 'visible' })
    // As a tab frozen mid-refresh would: take the lock and never let go.
    const lockName = `edge-token-managers.refresh:edge-token-managers.auth:${demo.url}`
    await stuck.evaluate((name) => void navigator.locks.request(name, () => new Promise(() => {})), lockName)
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
