// A session in use never expires; an idle one does — across app servers whose clocks disagree, on real
// time. The first release wrote lastUsedAt at most once a minute but expired on the stored value, so
// with a 10 s timeout every session in use died about 10 s after sign-in.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createServerDatabase } from '../support/postgres.ts'
import { startWorkers, stopWorkers, type Worker } from '../support/processes.ts'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
let database: Awaited<ReturnType<typeof createServerDatabase>>
let servers: Worker[] = []

beforeAll(async () => {
  database = await createServerDatabase('session_activity')
  const session = { defaultSessionInactivityTimeout: '10s' } as const
  // Two app servers, 5 s behind and 5 s ahead; lastUsedAtUpdateInterval keeps its 1 min default.
  servers = await startWorkers([-5_000, 5_000].map((clockOffsetMs) => ({ driver: 'node-postgres', databaseUrl: database.url, clockOffsetMs, session })))
})
afterAll(async () => {
  stopWorkers(servers)
  await database?.drop()
})

it('10 s inactivity timeout: used every second for 60 s on alternating servers, never rejected; then idle 11 s, rejected', async () => {
  const [behind, ahead] = servers as [Worker, Worker]
  const issued = await behind.send<{ token: string; tokenId: string }>({ op: 'issue', authUserId: 'session-in-use', kind: 'session' })
  const started = performance.now()
  let uses = 0
  while (performance.now() - started < 60_000) {
    await sleep(1_000)
    const server = uses++ % 2 ? ahead : behind
    const info = await server.send<{ authId: string } | null>({ op: 'validate', token: issued.token })
    expect(info, `use ${uses}, ${Math.round((performance.now() - started) / 1000)} s after sign-in`).toMatchObject({ authId: issued.tokenId })
  }
  expect(uses).toBeGreaterThanOrEqual(55)
  await sleep(11_000)
  expect(await ahead.send({ op: 'validate', token: issued.token })).toBeNull()
  expect(await behind.send({ op: 'validate', token: issued.token })).toBeNull()
}, 90_000)
