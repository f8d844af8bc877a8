// A stolen refresh token replayed after the grace window, by several processes (isolates) at one instant,
// on one Postgres database and on one SQLite file: the family is revoked and exactly one process reports
// `reuse-detected` for it, with the replaying request's context.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import type { AuthEvent } from '../../src/index.ts'
import { openSqliteDatabase } from '../support/drivers.ts'
import { createServerDatabase } from '../support/postgres.ts'
import { soon, startWorkers, stopWorkers, type RefreshResult, type Worker, type WorkerConfig } from '../support/processes.ts'

const families = 20
const graceMs = 300
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const databases = {
  'node-postgres': async () => {
    const database = await createServerDatabase('reuse_events')
    return { url: database.url, close: () => database.drop() }
  },
  'better-sqlite3': async () => {
    // A migrated file the processes share (WAL); the helper's own copy is closed first.
    const dir = mkdtempSync(join(tmpdir(), 'etm-reuse-'))
    const opened = await openSqliteDatabase('better-sqlite3')
    const { copyFileSync } = await import('node:fs')
    await opened.query('pragma wal_checkpoint(truncate)')
    copyFileSync(opened.file!, join(dir, 'auth.db'))
    await opened.close()
    return { url: join(dir, 'auth.db'), close: async () => rmSync(dir, { recursive: true, force: true }) }
  },
} as const

describe.each(Object.keys(databases) as (keyof typeof databases)[])('reuse detected across processes on %s', (driver) => {
  let workers: Worker[] = []
  let close: (() => Promise<void>) | undefined
  afterEach(() => {
    stopWorkers(workers)
    workers = []
  })
  afterAll(async () => close?.())

  it(`${families} stolen tokens replayed by 3 processes at once: one reuse-detected per family, in one process`, async () => {
    const database = await databases[driver]()
    close = database.close
    const config: WorkerConfig = { driver, databaseUrl: database.url, jwt: { refreshTokenRotationGracePeriod: graceMs } }
    workers = await startWorkers([config, config, config])
    const [owner] = workers as [Worker, ...Worker[]]
    const stolen = await Promise.all(Array.from({ length: families }, (_, i) =>
      owner.send<{ refreshToken: string; tokenId: string }>({ op: 'issue', authUserId: `victim-${i}` })))
    // The owner refreshes: the stolen copies are now the previous secret.
    const rotated = await owner.send<RefreshResult[]>({ op: 'refresh', tokens: stolen.map((s) => s.refreshToken) })
    expect(rotated.every((r) => r.ok)).toBe(true)
    await sleep(graceMs * 2)
    const at = soon(300)
    // Each family at its own instant, each process 0–5 ms off it: otherwise one process leads every race.
    const replays = await Promise.all(stolen.flatMap((s, f) => workers.map((w) =>
      w.send<RefreshResult[]>({ op: 'refresh', tokens: [s.refreshToken], at: at + f * 20 + Math.floor(Math.random() * 6) }))))
    for (const [r] of replays) expect(r!.ok ? 'ok' : r!.code).toMatch(/^ERR_REFRESH_TOKEN_(REUSED|NOT_FOUND)$/)

    const perProcess = await Promise.all(workers.map((w) => w.send<AuthEvent[]>({ op: 'events' })))
    const reuses = perProcess.flatMap((events, w) => events.filter((e) => e.type === 'reuse-detected').map((e) => ({ ...e, w })))
    const perFamily = new Map(stolen.map((s) => [s.tokenId, reuses.filter((e) => e.tokenId === s.tokenId)]))
    console.log(`${driver}: ${families} families, reuse-detected by process ${workers.map((_, w) => reuses.filter((e) => e.w === w).length).join('/')}`)
    expect([...perFamily.values()].map((list) => list.length)).toEqual(stolen.map(() => 1))
    for (const [i, s] of stolen.entries()) {
      const [event] = perFamily.get(s.tokenId)!
      expect(event).toMatchObject({ authUserId: `victim-${i}`, method: 'email', clock: 'database', context: { process: workers[event!.w]!.child.pid } })
      expect(event!.sinceRotationMs).toBeGreaterThanOrEqual(graceMs)
    }
    // Each reuse revoked its family, once.
    const revocations = perProcess.flat().filter((e) => e.type === 'revocation' && e.reason === 'reuse')
    expect(revocations.length).toBe(families)
  }, 90_000)
})
