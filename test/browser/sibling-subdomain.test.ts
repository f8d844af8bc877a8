// Cookie tossing in real Chromium: the demo app on https://app.example.test, and a page on its sibling
// https://evil.example.test (both resolved to 127.0.0.1, one certificate made for the run) that plants
// token cookies with `Domain=example.test` and a longer `Path`, so the browser sends them first, next to
// the victim's own. Whatever is planted (another user's valid token, or junk), the victim stays signed in
// as herself: never as anyone else, never signed out. With the default `__Host-` names Chromium refuses
// the planted cookies outright; with names anyone can plant, the server sees both copies, trusts
// neither, evicts the planted ones and the browser repeats the request with its own.
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { Browser, BrowserContext } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { JwtTokenManager, ServerSideSessionsTokenManager } from '../../src/index.ts'
import { tokenCookies, type TokenCookiesOptions } from '../../src/hono/index.ts'
import { launchChromium } from './chromium.ts'
import { callApiFor, signIn, untilRefreshWindow } from './demo-page.ts'
import { startDemo } from './demo-server.ts'

const accessTokenLifetimeMs = 2_000
const refreshBeforeMs = Math.floor(accessTokenLifetimeMs / 3)

let certificate: { key: string; cert: string }
let browser: Browser

/** A self-signed certificate for *.example.test, made for this run. */
async function makeCertificate(): Promise<{ key: string; cert: string }> {
  const folder = await mkdtemp(join(tmpdir(), 'etm-tls-'))
  try {
    await promisify(execFile)('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
      '-keyout', join(folder, 'key.pem'), '-out', join(folder, 'cert.pem'),
      '-subj', '/CN=example.test', '-addext', 'subjectAltName=DNS:example.test,DNS:*.example.test',
    ])
    const [key, cert] = await Promise.all([readFile(join(folder, 'key.pem'), 'utf8'), readFile(join(folder, 'cert.pem'), 'utf8')])
    return { key, cert }
  } finally {
    await rm(folder, { recursive: true, force: true })
  }
}

beforeAll(async () => {
  ;[certificate, browser] = await Promise.all([
    makeCertificate(),
    launchChromium(['--host-resolver-rules=MAP *.example.test 127.0.0.1', '--ignore-certificate-errors']),
  ])
})
afterAll(async () => browser?.close())

const namings: [string, TokenCookiesOptions | undefined][] = [
  ['the default cookie names', undefined],
  ['unprefixed cookie names', { session: 'session', refresh: 'refresh', refreshPath: '/auth' }],
]

describe.each(namings)('a sibling subdomain plants token cookies, with %s', (_, cookieOptions) => {
  let demo: Awaited<ReturnType<typeof startDemo>>
  beforeAll(async () => {
    demo = await startDemo({ accessTokenLifetime: `${accessTokenLifetimeMs / 1000}s`, https: { ...certificate, host: 'app.example.test' }, ...(cookieOptions && { cookies: cookieOptions }) })
  })
  afterAll(async () => demo?.close())
  const names = tokenCookies(cookieOptions)

  /** What evil.example.test's script does: one `document.cookie` per name and path, for the parent domain. */
  async function plant(context: BrowserContext, values: { session: string; refresh: string }): Promise<void> {
    const evil = await context.newPage()
    const evilUrl = `https://evil.example.test:${demo.port}/`
    await evil.route(evilUrl, (route) => route.fulfill({ contentType: 'text/html', body: '<title>evil</title>' }))
    await evil.goto(evilUrl)
    const lines = (['session', 'refresh'] as const).flatMap((kind) => ['/auth/refresh', '/api/me'].map((path) =>
      `${names[kind]}=${values[kind]}; Domain=example.test; Path=${path}; Secure; SameSite=None`))
    await evil.evaluate((lines) => lines.forEach((line) => void (document.cookie = line)), lines)
    await evil.close()
  }

  /** Another user's valid tokens, one of each kind, as her own browser would hold them. */
  async function mallorysTokens(user: string): Promise<{ session: string; refresh: string }> {
    const auth = demo.services.auth
    const session = await auth.getTokenManager(ServerSideSessionsTokenManager).issueToken({ authUserId: user, method: 'password' })
    const jwt = await auth.getTokenManager(JwtTokenManager).issueToken({ authUserId: user, method: 'password' })
    return { session: session.token, refresh: jwt.refreshToken! }
  }

  for (const kind of ['jwt', 'session'] as const) {
    for (const planted of ['another user', 'junk'] as const) {
      it(`${kind} sign-in, ${planted}: the victim stays herself, signed in, through reloads and refreshes`, async () => {
        const victim = `victim-${kind}-${planted === 'junk' ? 'junk' : 'other'}`
        const mallory = `mallory-${kind}-${planted === 'junk' ? 'junk' : 'other'}`
        const context = await browser.newContext({ ignoreHTTPSErrors: true })
        onTestFinished(() => context.close())
        const page = await context.newPage()
        await page.goto(demo.url)
        await signIn(page, victim, { kind })
        const own = (await context.cookies()).find((c) => c.name === names[kind === 'jwt' ? 'refresh' : 'session'])!
        expect(own.domain).toBe('app.example.test')

        let plants = 0
        const plantAgain = async () => {
          plants++
          await plant(context, planted === 'junk' ? { session: 'junk', refresh: 'junk' } : await mallorysTokens(mallory))
        }
        await plantAgain()
        const plantable = [names.session, names.refresh].filter((name) => !name.startsWith('__Host-'))
        // Chromium refuses a __Host- cookie with a Domain; any other name it takes from the sibling.
        expect((await context.cookies()).filter((c) => c.domain === '.example.test').map((c) => c.name).sort())
          .toEqual(plantable.flatMap((name) => [name, name]).sort())

        for (let round = 0; round < 2; round++) {
          await page.reload() // the page asks the server who it is: a refresh from the cookies
          await page.getByTestId('signed-in-view').waitFor({ state: 'visible' })
          expect(await page.getByTestId('current-user').textContent()).toBe(victim)
          const me = await callApiFor(page)
          expect(me.status).toBe(200)
          expect(me.body).toMatchObject({ userIdentifier: victim, tokenIssuer: kind })
          if (kind === 'jwt') {
            await untilRefreshWindow(page, refreshBeforeMs)
            expect((await callApiFor(page)).body).toMatchObject({ userIdentifier: victim }) // refreshed through the cookie
          }
          if (round === 0 && plantable.length > 0) await plantAgain()
        }
        expect(await page.getByTestId('sign-in-view').isHidden()).toBe(true)
        // The copies the browser sent along with a token cookie it read were deleted (a JWT's page calls
        // /api/me with its access token: the cookies there are never read); the victim's own stays hers.
        const left = await context.cookies()
        for (const path of kind === 'jwt' ? ['/auth/refresh'] : ['/auth/refresh', '/api/me']) {
          expect(left.filter((c) => c.domain === '.example.test' && c.path === path).map((c) => c.name), path).toEqual([])
        }
        expect(left.find((c) => c.name === own.name && c.domain === 'app.example.test')).toBeDefined()
        // Mallory's own sign-ins were neither used up nor revoked.
        if (planted === 'another user') expect(await demo.services.auth.tokenManager.listTokens({ authUserId: mallory })).toHaveLength(2 * plants)
      })
    }
  }
})
