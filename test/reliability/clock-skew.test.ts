// The grace window across app servers whose clocks disagree, and over a slow link. Each app server is
// its own process with a really skewed clock; all share one database, whose clock decides. Neither a
// server 30 s behind nor one 30 s ahead may widen the window (accept a replay after it) or narrow it
// (call a duplicate inside it reuse), and a request's own latency must not count against it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createServerDatabase, serverUrl } from '../support/postgres.ts'
import { startWorker, stopWorkers, type RefreshResult, type Worker, type WorkerConfig } from '../support/processes.ts'
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('the grace window on skewed clocks (node-postgres, one process per app server)', () => {
  let database: Awaited<ReturnType<typeof createServerDatabase>>
  let proxy: TcpProxy
  let workers: Worker[] = []

  beforeAll(async () => {
    database = await createServerDatabase('clock_skew')
    const server = new URL(serverUrl)
    proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) })
  })
  afterEach(() => {
    stopWorkers(workers)
    workers = []
  })
  afterAll(async () => {
    await proxy?.close()
    await database?.drop()
  })

  async function server(clockOffsetMs: number, jwt: WorkerConfig['jwt'], options: { viaProxy?: boolean; storeTimeoutMs?: number } = {}) {
    const url = new URL(database.url)
    if (options.viaProxy) url.port = String(proxy.port)
    const worker = await startWorker({ driver: 'node-postgres', databaseUrl: url.toString(), clockOffsetMs, jwt, ...(options.storeTimeoutMs && { storeTimeoutMs: options.storeTimeoutMs }) })
    workers.push(worker)
    return worker
  }
  const refresh = async (worker: Worker, token: string) => (await worker.send<RefreshResult[]>({ op: 'refresh', tokens: [token] }))[0]!
  const issue = (worker: Worker, user: string) => worker.send<{ refreshToken: string }>({ op: 'issue', authUserId: user })

  it.each([{ offset: -30_000, way: 'behind' }, { offset: 30_000, way: 'ahead' }])('grace 2 s: a replay 3 s after rotation, by a server 30 s $way, is reuse', async ({ offset }) => {
    const jwt = { refreshTokenRotationGracePeriod: '2s' } as const
    const [honest, skewed] = [await server(0, jwt), await server(offset, jwt)]
    const first = await issue(honest, `skew-replay-${offset}`)
    const rotated = await refresh(honest, first.refreshToken)
    expect(rotated.ok).toBe(true)
    await sleep(3_000)
    expect(await refresh(skewed, first.refreshToken)).toEqual({ ok: false, code: 'ERR_REFRESH_TOKEN_REUSED' })
    expect(await refresh(honest, (rotated as { refreshToken: string }).refreshToken)).toEqual({ ok: false, code: 'ERR_REFRESH_TOKEN_NOT_FOUND' })
  })

  it('grace 0: a replay 1 s after rotation, by a server 2 s behind, is reuse', async () => {
    const jwt = { refreshTokenRotationGracePeriod: 0 } as const
    const [honest, behind] = [await server(0, jwt), await server(-2_000, jwt)]
    const first = await issue(honest, 'skew-strict')
    expect((await refresh(honest, first.refreshToken)).ok).toBe(true)
    await sleep(1_000)
    expect(await refresh(behind, first.refreshToken)).toEqual({ ok: false, code: 'ERR_REFRESH_TOKEN_REUSED' })
  })

  it.each([{ offset: -30_000, way: 'behind' }, { offset: 30_000, way: 'ahead' }])('grace 10 s: a duplicate 1 s later, by a server 30 s $way, gets the same pair', async ({ offset }) => {
    const [honest, skewed] = [await server(0, {}), await server(offset, {})]
    const first = await issue(skewed, `skew-duplicate-${offset}`) // issued on the skewed server: its stamps are the database's
    const rotated = await refresh(honest, first.refreshToken)
    await sleep(1_000)
    const duplicate = await refresh(skewed, first.refreshToken)
    expect(duplicate).toEqual(rotated)
    expect(duplicate.ok).toBe(true)
  })

  // The duplicate leaves 1 s after the first refresh and needs 6 s to reach the database, 6 s more for
  // each answer: it arrives inside the 10 s window, but its answer comes back long after the window.
  it('grace 10 s: a duplicate over a link with 6 s of latency gets the same pair', async () => {
    const fast = await server(0, {})
    const slow = await server(0, {}, { viaProxy: true, storeTimeoutMs: 30_000 })
    const first = await issue(slow, 'skew-slow-link') // opens the slow server's connection while the link is fast
    proxy.setDelay(6_000)
    proxy.setMode('slow')
    try {
      const rotated = await refresh(fast, first.refreshToken)
      await sleep(1_000)
      expect(await refresh(slow, first.refreshToken)).toEqual(rotated)
    } finally {
      proxy.setMode('open')
      proxy.setDelay(0)
    }
  }, 60_000)
})
