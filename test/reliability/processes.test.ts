// Refresh races between separate processes — separate isolates in production — sharing one database,
// each on its own real clock. Strict mode (grace 0): exactly one caller per presented token wins, the
// rest are told the token was reused and the family is revoked. Grace: every caller of the same token
// gets the same pair, and no token ever has two successors (rotations counted by a trigger). The same on
// Serverpod's tables through serverpodStore, where a grace retry is recognised by its derived successor.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startNeonHttpServer } from '../../scripts/neon-http/server.ts'
import { createServerDatabase } from '../support/postgres.ts'
import { soon, startWorkers, stopWorkers, type RefreshResult, type Worker, type WorkerConfig } from '../support/processes.ts'
import pg from 'pg'

const families = 100

/** Where each store keeps refresh tokens, and the column a rotation changes. */
const refreshTables = {
  drizzle: { table: 'auth_refresh_token', rotating: 'rotating_secret_hash' },
  serverpod: { table: 'serverpod_auth_core_jwt_refresh_token', rotating: '"rotatingSecretHash"' },
}
const rotationLog = ({ table, rotating }: (typeof refreshTables)[keyof typeof refreshTables]) => `
  create table rotation_log (id uuid not null);
  create function log_rotation() returns trigger language plpgsql as $$
    begin insert into rotation_log values (new.id); return new; end $$;
  create trigger refresh_rotation after update on ${table} for each row
    when (old.${rotating} is distinct from new.${rotating}) execute function log_rotation();`

const setups = [
  { driver: 'node-postgres', store: 'drizzle' },
  { driver: 'neon-http', store: 'drizzle' },
  { driver: 'node-postgres', store: 'serverpod' },
  { driver: 'neon-http', store: 'serverpod' },
] as const

describe.each(setups)('refresh races between processes on $driver, $store store', ({ driver, store }) => {
  const { table } = refreshTables[store]
  let database: Awaited<ReturnType<typeof createServerDatabase>>
  let direct: pg.Pool
  let endpoint: Awaited<ReturnType<typeof startNeonHttpServer>> | undefined
  let workers: Worker[] = []

  beforeAll(async () => {
    database = await createServerDatabase(`processes_${driver}_${store}`, { serverpod: store === 'serverpod' })
    direct = new pg.Pool({ connectionString: database.url, max: 4 })
    await direct.query(rotationLog(refreshTables[store]))
    if (driver === 'neon-http') endpoint = await startNeonHttpServer({ port: 0 })
  })
  // Each test's processes end with it: a pool per process, and the server has a connection limit.
  afterEach(() => {
    stopWorkers(workers)
    workers = []
  })
  afterAll(async () => {
    await endpoint?.close()
    await direct?.end()
    await database?.drop()
  })

  const configFor = (jwt: WorkerConfig['jwt'], clockOffsetMs = 0): WorkerConfig => ({
    driver, databaseUrl: database.url, ...(endpoint && { neonEndpoint: endpoint.url }), clockOffsetMs, jwt, store,
    // Serverpod's own cost (m=4096, t=3) is 100+ ms a hash: hundreds of racing refreshes would take minutes.
    ...(store === 'serverpod' && { argon2: { memory: 64, iterations: 1, lanes: 1 } }),
  })
  async function spawn(count: number, jwt: WorkerConfig['jwt']): Promise<Worker[]> {
    // Clocks up to a few seconds apart, as across real machines.
    const started = await startWorkers(Array.from({ length: count }, (_, i) => configFor(jwt, (i - 1) * 1_500)))
    workers.push(...started)
    return started
  }
  const rotations = async (ids: string[]) =>
    new Map((await direct.query('select id::text, count(*)::int as n from rotation_log where id = any($1::uuid[]) group by id', [ids])).rows.map((r) => [r.id, r.n]))
  const remaining = async (ids: string[]) => (await direct.query(`select count(*)::int as n from ${table} where id = any($1::uuid[])`, [ids])).rows[0].n as number
  /** Serverpod's tables key users by uuid and need the user row; the library's take any id. */
  const users = async (label: string): Promise<string[]> => store === 'drizzle'
    ? Array.from({ length: families }, (_, i) => `${label}-${i}`)
    : (await direct.query(`insert into serverpod_auth_core_user ("createdAt", "scopeNames", blocked)
        select now() at time zone 'UTC', '[]'::json, false from generate_series(1, $1) returning id::text`, [families])).rows.map((r) => r.id as string)

  /**
   * Issues `families` refresh tokens, then has every worker refresh each of them at one real instant:
   * `batch` families per instant, within the workers' pool size so none waits for a connection. Each
   * worker's start gets 0–5 ms of random jitter per family: without it one process (the one whose
   * requests the machine happened to serve first) led every race on a driver, so a rule broken only
   * when another process leads went untested.
   */
  async function raceAll(pool: Worker[], label: string) {
    const issued = await Promise.all((await users(label)).map((authUserId, i) =>
      pool[i % pool.length]!.send<{ refreshToken: string; tokenId: string }>({ op: 'issue', authUserId })))
    const batch = 5
    const start = soon(300)
    const outcomes = await Promise.all(issued.map((s, f) => Promise.all(pool.map(async (w) => {
      const at = start + Math.floor(f / batch) * 40 + Math.floor(Math.random() * 6)
      return (await w.send<RefreshResult[]>({ op: 'refresh', tokens: [s.refreshToken], at }))[0]!
    }))))
    // Per family, what each worker got.
    return issued.map((token, f) => ({ token, results: outcomes[f]! }))
  }
  /** How many families each worker won: a summary that shows the races had different leaders. */
  const winsByWorker = (raced: { results: RefreshResult[] }[]) => raced[0]!.results.map((_, w) => raced.filter((r) => r.results[w]!.ok).length)

  it.each([2, 4])(`grace 0, ${families} families × %i processes: exactly one winner per token, the family revoked`, async (count) => {
    const pool = await spawn(count, { refreshTokenRotationGracePeriod: 0 })
    const raced = await raceAll(pool, `strict-${count}`)
    const winnerCounts = raced.map(({ results }) => results.filter((r) => r.ok).length)
    const [none, several] = [winnerCounts.filter((n) => n === 0).length, winnerCounts.filter((n) => n > 1).length]
    console.log(`${driver}, ${store}, grace 0, ${count} processes: ${families} families, ${several} with 2+ winners, ${none} with none; wins by process ${winsByWorker(raced).join('/')}`)
    expect({ several, none }).toEqual({ several: 0, none: 0 })
    for (const { results } of raced) for (const r of results) if (!r.ok) expect(['ERR_REFRESH_TOKEN_REUSED', 'ERR_REFRESH_TOKEN_NOT_FOUND']).toContain(r.code)
    const ids = raced.map((r) => r.token.tokenId)
    expect(await remaining(ids)).toBe(0) // every family revoked by its losers
    const counted = await rotations(ids)
    expect(ids.map((id) => counted.get(id) ?? 0)).toEqual(ids.map(() => 1))
    // The winners' new tokens died with their families.
    const winners = raced.map((r) => (r.results.find((x) => x.ok) as { refreshToken: string }).refreshToken)
    const after = await pool[0]!.send<RefreshResult[]>({ op: 'refresh', tokens: winners } as const)
    expect(after.every((r) => !r.ok && r.code === 'ERR_REFRESH_TOKEN_NOT_FOUND')).toBe(true)
  }, 60_000)

  it.each([2, 4])(`grace 10 s, ${families} families × %i processes: one successor per token, the same pair for every caller`, async (count) => {
    const pool = await spawn(count, {})
    const raced = await raceAll(pool, `grace-${count}`)
    for (const { results } of raced) {
      expect(results.every((r) => r.ok)).toBe(true)
      expect(new Set(results.map((r) => (r as { refreshToken: string }).refreshToken)).size).toBe(1)
    }
    const ids = raced.map((r) => r.token.tokenId)
    const counted = await rotations(ids)
    expect(ids.map((id) => counted.get(id) ?? 0)).toEqual(ids.map(() => 1))
    console.log(`${driver}, ${store}, grace 10 s, ${count} processes: ${families} families, each rotated once, one successor each`)
    // The shared successor works once more, from any process.
    const next = raced.map((r) => (r.results[0] as { refreshToken: string }).refreshToken)
    expect((await pool[count - 1]!.send<RefreshResult[]>({ op: 'refresh', tokens: next })).every((r) => r.ok)).toBe(true)
  }, 60_000)
})
