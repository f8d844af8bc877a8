// Refresh races between separate processes sharing one SQLite file (WAL), each on its own skewed clock, the
// library in production mode (the database's clock). Strict mode (grace 0): exactly one winner per token,
// the family revoked by the losers. Grace: every caller of a token gets the same successor, and no token is
// rotated twice (rotations counted by a trigger).
import BetterSqlite3 from 'better-sqlite3'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { openSqliteDatabase, type OpenSqliteDatabase } from '../support/drivers.ts'
import { soon, startWorkers, stopWorkers, type RefreshResult, type Worker, type WorkerConfig } from '../support/processes.ts'

const families = 100
let database: OpenSqliteDatabase
let direct: BetterSqlite3.Database
let workers: Worker[] = []

beforeAll(async () => {
  database = await openSqliteDatabase('better-sqlite3')
  direct = new BetterSqlite3(database.file!, { timeout: 10_000 })
  direct.exec(`create table rotation_log (id text not null);
    create trigger refresh_rotation after update of rotating_secret_hash on auth_refresh_token
    when old.rotating_secret_hash is not new.rotating_secret_hash begin insert into rotation_log values (new.id); end;`)
})
afterEach(() => {
  stopWorkers(workers)
  workers = []
})
afterAll(async () => {
  direct?.close()
  await database?.close()
})

async function spawn(count: number, jwt: WorkerConfig['jwt']): Promise<Worker[]> {
  const configs = Array.from({ length: count }, (_, i): WorkerConfig => ({ driver: 'better-sqlite3', databaseUrl: database.file!, clockOffsetMs: (i - 1) * 1_500, jwt }))
  const started = await startWorkers(configs)
  workers.push(...started)
  return started
}

const inList = (ids: string[]) => `(${ids.map(() => '?').join(', ')})`
const rotations = (ids: string[]) =>
  new Map((direct.prepare(`select id, count(*) as n from rotation_log where id in ${inList(ids)} group by id`).all(...ids) as { id: string; n: number }[]).map((r) => [r.id, r.n]))
const remaining = (ids: string[]) => (direct.prepare(`select count(*) as n from auth_refresh_token where id in ${inList(ids)}`).get(...ids) as { n: number }).n

/** Issues `families` tokens, then every worker refreshes each at one real instant (with a few ms of jitter). */
async function raceAll(pool: Worker[], label: string) {
  const issued = await Promise.all(Array.from({ length: families }, (_, i) =>
    pool[i % pool.length]!.send<{ refreshToken: string; tokenId: string }>({ op: 'issue', authUserId: `${label}-${i}` })))
  const batch = 5
  const start = soon(300)
  const outcomes = await Promise.all(issued.map((s, f) => Promise.all(pool.map(async (w) => {
    const at = start + Math.floor(f / batch) * 40 + Math.floor(Math.random() * 6)
    return (await w.send<RefreshResult[]>({ op: 'refresh', tokens: [s.refreshToken], at }))[0]!
  }))))
  return issued.map((token, f) => ({ token, results: outcomes[f]! }))
}

it.each([2, 4])(`grace 0, ${families} families × %i processes: exactly one winner per token, the family revoked`, async (count) => {
  const pool = await spawn(count, { refreshTokenRotationGracePeriod: 0 })
  const raced = await raceAll(pool, `strict-${count}`)
  const winners = raced.map(({ results }) => results.filter((r) => r.ok).length)
  expect({ several: winners.filter((n) => n > 1).length, none: winners.filter((n) => n === 0).length }).toEqual({ several: 0, none: 0 })
  for (const { results } of raced) for (const r of results) if (!r.ok) expect(['ERR_REFRESH_TOKEN_REUSED', 'ERR_REFRESH_TOKEN_NOT_FOUND']).toContain(r.code)
  const ids = raced.map((r) => r.token.tokenId)
  expect(remaining(ids)).toBe(0)
  const counted = rotations(ids)
  expect(ids.map((id) => counted.get(id) ?? 0)).toEqual(ids.map(() => 1))
}, 90_000)

it.each([2, 4])(`grace 10 s, ${families} families × %i processes: one successor per token, the same pair for every caller`, async (count) => {
  const pool = await spawn(count, {})
  const raced = await raceAll(pool, `grace-${count}`)
  for (const { results } of raced) {
    expect(results.every((r) => r.ok)).toBe(true)
    expect(new Set(results.map((r) => (r as { refreshToken: string }).refreshToken)).size).toBe(1)
  }
  const ids = raced.map((r) => r.token.tokenId)
  const counted = rotations(ids)
  expect(ids.map((id) => counted.get(id) ?? 0)).toEqual(ids.map(() => 1))
  const next = raced.map((r) => (r.results[0] as { refreshToken: string }).refreshToken)
  expect((await pool[count - 1]!.send<RefreshResult[]>({ op: 'refresh', tokens: next })).every((r) => r.ok)).toBe(true)
}, 90_000)
