// Drives the demo page (demo/page) the way a user would, for the browser tests.
import type { BrowserContext, Page } from 'playwright-core'

export async function signIn(page: Page, username: string, options: { kind?: 'jwt' | 'session'; device?: string } = {}): Promise<void> {
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
export async function callApi(page: Page, { at = 0 } = {}): Promise<number> {
  return (await callApiFor(page, { at })).status
}

/** Like {@link callApi}, with the body the page shows (`/api/me` answers the caller's `AuthenticationInfo`). */
export async function callApiFor(page: Page, { at = 0 } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const result = page.getByTestId('api-result')
  await result.evaluate((element) => void (element.textContent = ''))
  // `at` (epoch ms): tabs given the same `at` click within a millisecond or two of each other.
  await page.getByTestId('call-api').evaluate((button, at) => void setTimeout(() => (button as HTMLElement).click(), at - Date.now()), at)
  await page.waitForFunction((element) => element?.textContent !== '', await result.elementHandle())
  const text = (await result.textContent())!
  const space = text.indexOf(' ')
  return { status: Number(text.slice(0, space)), body: JSON.parse(text.slice(space + 1)) as Record<string, unknown> }
}

/** The access token's expiry the page shows (ISO), as the client holds it in memory. */
export const expiresAt = (page: Page) => page.getByTestId('token-expires-at').evaluate((element) => (element as HTMLElement).dataset.iso!)

/** Waits (real time) until the page's access token is inside its refresh window (`refreshBeforeMs` before expiry). */
export async function untilRefreshWindow(page: Page, refreshBeforeMs: number): Promise<void> {
  const wait = Date.parse(await expiresAt(page)) - refreshBeforeMs * 0.75 - Date.now()
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
}

/** The context's cookie `name` (any path: `cookies(url)` would leave out one scoped to /auth). */
export const tokenCookie = async (context: BrowserContext, name: string) => (await context.cookies()).find((c) => c.name === name)
