// The demo's activity page in real Chromium: a refresh token copied from the browser and replayed after
// the page rotated it is a reuse; when the victim signs in again, the page lists the reuse (from the
// onEvent handler's rows) with a banner, beside the sign-in, the refresh and the revocation.
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { launchChromium } from './chromium.ts'
import { callApi, signIn, tokenCookie, untilRefreshWindow } from './demo-page.ts'
import { startDemo } from './demo-server.ts'

let demo: Awaited<ReturnType<typeof startDemo>>
let browser: Browser

beforeAll(async () => {
  // A short grace window (100 ms), so the replay, which comes later, is past it without waiting.
  ;[demo, browser] = await Promise.all([startDemo({ accessTokenLifetime: '2s', gracePeriod: '100ms' }), launchChromium()])
})
afterAll(async () => {
  await browser?.close()
  await demo?.close()
})

it('lists a reuse detected after a replay of a stolen refresh token, with a banner, once the victim signs in again', async () => {
  const page = await (await browser.newContext()).newPage()
  await page.goto(demo.url)
  await signIn(page, 'activity-victim')
  expect(await page.getByTestId('reuse-banner').isHidden()).toBe(true)
  const stolen = (await tokenCookie(page.context(), '__Host-refresh'))!.value

  // The victim keeps using the page: it refreshes, and the stolen copy is now the previous secret.
  await untilRefreshWindow(page, Math.floor(2_000 / 3))
  expect(await callApi(page)).toBe(200)
  expect(demo.statuses('POST', '/auth/refresh').at(-1)).toBe(200)

  // The thief replays the copy from elsewhere, once the 100 ms window has passed.
  await new Promise((resolve) => setTimeout(resolve, 300))
  const replay = await fetch(`${demo.url}/auth/refresh`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'thief-client/1.0' },
    body: JSON.stringify({ refreshToken: stolen }),
  })
  expect(replay.status).toBe(400)
  expect(await replay.json()).toMatchObject({ code: 'ERR_REFRESH_TOKEN_REUSED' })
  await demo.services.auth.events.settled()

  // The family is dead: the victim signs in again and sees what happened.
  const again = await (await browser.newContext()).newPage()
  await again.goto(demo.url)
  await signIn(again, 'activity-victim')
  await again.getByTestId('activity-row').first().waitFor()
  expect(await again.getByTestId('reuse-banner').isVisible()).toBe(true)
  const rows = await again.getByTestId('activity-row').evaluateAll((list) => list.map((row) => ({
    type: (row as HTMLElement).dataset.type, text: row.textContent ?? '',
  })))
  expect(rows.map((r) => r.type)).toEqual(['sign-in', 'revocation', 'reuse-detected', 'refresh', 'sign-in'])
  const reuse = rows.find((r) => r.type === 'reuse-detected')!
  expect(reuse.text).toContain('Reuse detected')
  expect(reuse.text).toContain('thief-client/1.0')
  expect(rows.find((r) => r.type === 'revocation')!.text).toContain('reuse')
  // Nothing secret reached the page: not the stolen token, in any row.
  expect(rows.map((r) => r.text).join('\n')).not.toContain(stolen)
  await again.screenshot({ path: '/tmp/activity.png', fullPage: true })
}, 60_000)
