// createAuthClient({ dpop: true }) in real Chromium against JwtConfig({ dpop: 'required' }) on PGlite: the
// key lives in IndexedDB, non-extractable, so a reloaded page (a new client, nothing in memory) still
// refreshes the bound sign-in; another browser profile holding a copy of the tokens cannot use them.
import { readFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { join, normalize } from 'node:path'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { authenticate, authRoutes, guard } from '../../src/hono/index.ts'
import { dpopProofRequest } from '../../src/hono/dpop.ts'
import { createAuth } from '../support/auth.ts'
import { openDatabase, type OpenDatabase } from '../support/drivers.ts'
import { launchChromium } from './chromium.ts'

const dist = join(import.meta.dirname, '..', '..', 'dist')
let database: OpenDatabase
let browser: Browser
let server: ReturnType<typeof serve>
let origin: string

// The page: a fresh client (refreshing before every call) per `callApi`, optionally signing in first.
const pageHtml = `<!doctype html><title>dpop</title><script type="module">
import { createAuthClient, localStorageStorage } from '/dist/client/index.js'
window.callApi = async (signIn) => {
  const client = createAuthClient({ baseUrl: location.origin, dpop: true, storage: localStorageStorage(), refreshBefore: 3600000 })
  if (signIn) client.signIn(await (await client.fetch('/sign-in', { method: 'POST' })).json())
  const response = await client.fetch('/api/me')
  return { status: response.status, body: await response.json(), jkt: client.authSuccess?.dpopJkt ?? null }
}
window.ready = true
</script>`

beforeAll(async () => {
  ;[database, browser] = await Promise.all([openDatabase('pglite'), launchChromium()])
  const { auth } = createAuth(database.db, 'jwt', { clock: 'database', jwt: { dpop: 'required' } })
  const app = new Hono()
  app.get('/', (c) => c.html(pageHtml))
  // The built client, as a browser imports it.
  app.get('/dist/*', async (c) => {
    const path = normalize(c.req.path.slice('/dist/'.length))
    if (path.startsWith('..') || !path.endsWith('.js')) return c.notFound()
    return c.body(await readFile(join(dist, path), 'utf8'), 200, { 'content-type': 'text/javascript' })
  })
  app.route('/auth', authRoutes(auth))
  app.post('/sign-in', async (c) => c.json(await guard(() => auth.tokenManager.issueToken({ authUserId: 'browser-user', method: 'test', dpop: dpopProofRequest(c) }))))
  app.get('/api/me', authenticate({ auth }), (c) => c.json({ user: c.var.auth.userIdentifier, jkt: c.var.auth.dpopJkt }))
  server = serve({ port: 0, hostname: '127.0.0.1', fetch: app.fetch })
  await new Promise<void>((resolve) => server.once('listening', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await browser?.close()
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  await database?.close()
})

interface Called { status: number; body: { user?: string; jkt?: string }; jkt: string | null }

/** GET /api/me through a fresh client in `tab` (after signing in, if asked). */
async function callApi(tab: Page, signIn: boolean): Promise<Called> {
  await tab.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true)
  return tab.evaluate((first) => (window as unknown as { callApi(s: boolean): Promise<Called> }).callApi(first), signIn)
}

describe('DPoP in Chromium', () => {
  it('keeps a non-extractable key in IndexedDB: a reloaded page refreshes the bound sign-in; a copied sign-in elsewhere is refused', async () => {
    const context = await browser.newContext()
    const tab = await context.newPage()
    await tab.goto(origin)
    const first = await callApi(tab, true)
    expect(first.status).toBe(200)
    expect(first.body.jkt).toBe(first.jkt)

    await tab.reload()
    const afterReload = await callApi(tab, false)
    expect(afterReload).toMatchObject({ status: 200, body: { user: 'browser-user', jkt: first.jkt } })

    const stored = await tab.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open('edge-token-managers', 1)
        open.onsuccess = () => resolve(open.result)
        open.onerror = () => reject(open.error)
      })
      const keys = await new Promise<{ privateKey: CryptoKey }[]>((resolve) => {
        const request = db.transaction('dpop-keys').objectStore('dpop-keys').getAll()
        request.onsuccess = () => resolve(request.result)
      })
      const exported = await crypto.subtle.exportKey('jwk', keys[0]!.privateKey).then(() => 'exported', () => 'refused')
      return { count: keys.length, extractable: keys[0]!.privateKey.extractable, exported }
    })
    expect(stored).toEqual({ count: 1, extractable: false, exported: 'refused' })

    // Another profile with a copy of the stored sign-in (what a script could carry away) has its own key.
    const copied = await tab.evaluate(() => JSON.stringify(Object.fromEntries(Object.entries(localStorage))))
    const thief = await (await browser.newContext()).newPage()
    await thief.goto(origin)
    await thief.evaluate((entries) => Object.entries(JSON.parse(entries) as Record<string, string>).forEach(([k, v]) => localStorage.setItem(k, v)), copied)
    const stolen = await callApi(thief, false)
    expect(stolen.status).toBe(401)
    expect(stolen.jkt).toBe(null) // its refresh was refused for good (ERR_DPOP_KEY_MISMATCH): signed out
    // The victim is unaffected.
    expect((await callApi(tab, false)).status).toBe(200)
    await context.close()
  })
})
