// Events on workerd (Miniflare): delivered through the request's waitUntil after the response. The
// handler blocks until the test, holding the response, lets it go: so each response provably came first.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { Miniflare, convertV4MiniflareOptions } from 'miniflare'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { AuthEvent } from '../../src/index.ts'
import { bundle } from '../runtimes/bundle.ts'
import { applyD1Migrations } from '../support/drivers.ts'

/** The test's side: holds each /wait until released, and hands over each posted event. */
function collector() {
  const waiting: ServerResponse[] = []
  const events: AuthEvent[] = []
  let notify: (() => void) | undefined
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/wait') return void waiting.push(res)
    let body = ''
    req.on('data', (chunk) => (body += chunk))
    req.on('end', () => {
      events.push(JSON.parse(body))
      res.end('ok')
      notify?.()
    })
  })
  return {
    server,
    events,
    /** How many handlers are blocked right now. */
    get blocked() {
      return waiting.length
    },
    release: () => waiting.splice(0).forEach((res) => res.end('go')),
    /** Resolves once `n` events have arrived. */
    until: (n: number) => new Promise<void>((resolve) => {
      notify = () => events.length >= n && resolve()
      notify()
    }),
  }
}

let mf: Miniflare
const events = collector()

beforeAll(async () => {
  await new Promise<void>((resolve) => events.server.listen(0, '127.0.0.1', resolve))
  const script = await bundle(join(import.meta.dirname, 'events-worker.ts'), { format: 'esm', conditions: ['workerd', 'worker', 'browser'] })
  mf = new Miniflare(convertV4MiniflareOptions({
    modules: true, script, compatibilityDate: '2026-04-01', d1Databases: ['DB'],
    bindings: { COLLECTOR: `http://127.0.0.1:${(events.server.address() as AddressInfo).port}` },
  }))
  await applyD1Migrations(await mf.getD1Database('DB') as never)
}, 20_000)

afterAll(async () => {
  await mf?.dispose()
  events.server.close()
})

const headers = { 'cf-connecting-ip': '198.51.100.77', 'user-agent': 'workerd-events-test' }

it('a validation failure and a refresh answer first; their events arrive once the handler may go on', async () => {
  const signIn = await mf.dispatchFetch('http://worker.test/sign-in', { method: 'POST', headers })
  const { refreshToken } = (await signIn.json()) as { refreshToken: string }
  // The sign-in's handler is blocked now, yet its response came.
  const rejected = await mf.dispatchFetch('http://worker.test/api/me', { headers: { ...headers, authorization: 'Bearer not.a.token' } })
  expect(rejected.status).toBe(401)
  await rejected.text()
  const refreshed = await mf.dispatchFetch('http://worker.test/auth/refresh', {
    method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken }),
  })
  expect(refreshed.status).toBe(200)
  await refreshed.text()
  expect(events.events).toEqual([])

  // Let them go: each handler still runs, kept alive by waitUntil after its response.
  const arrived = events.until(3)
  const releasing = setInterval(events.release, 20)
  await arrived
  clearInterval(releasing)
  const context = { ipAddress: '198.51.100.77', userAgent: 'workerd-events-test' }
  // Released together, the handlers post in any order.
  expect(events.events.map((e) => [e.type, e.context]).sort()).toEqual([['refresh', context], ['sign-in', context], ['validation-failed', context]])
  expect(events.events.map((e) => JSON.stringify(e)).join('\n')).not.toContain(refreshToken)
}, 20_000)
