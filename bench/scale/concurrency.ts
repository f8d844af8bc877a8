// Scale, part 1: session validation and refresh against the local Postgres with 1, 10 and 100 concurrent
// clients (closed loops), through node-postgres (one pool of 20 connections) and neon-http (the local
// endpoint in its own process, with its own pool of 20).
import { drizzle as drizzleNeonHttp } from 'drizzle-orm/neon-http'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import { neon, neonConfig } from '@neondatabase/serverless'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import pg from 'pg'
import { JwtTokenManager, ServerSideSessionsTokenManager } from '../../src/index.ts'
import type { AnyPgDatabase } from '../../src/drizzle/index.ts'
import { createAuth } from '../../test/support/auth.ts'
import { createServerDatabase } from '../../test/support/postgres.ts'
import { closedLoop, type LatencySummary } from './latency.ts'

export interface ConcurrencyResult extends LatencySummary {
  driver: 'node-postgres' | 'neon-http'
  operation: 'session validate' | 'JWT refresh'
  clients: number
}

const realClock = Object.assign(() => new Date(), { advance() {}, set() {} })

async function withDriver<T>(driver: ConcurrencyResult['driver'], url: string, run: (db: AnyPgDatabase) => Promise<T>): Promise<T> {
  if (driver === 'node-postgres') {
    const pool = new pg.Pool({ connectionString: url, max: 20 })
    pool.on('error', () => {})
    try {
      return await run(drizzlePg(pool))
    } finally {
      await pool.end()
    }
  }
  // The endpoint runs in its own process, as Neon's proxy runs elsewhere: in this process it would share
  // one event loop with the clients it serves.
  const endpoint = await startEndpointProcess()
  neonConfig.fetchEndpoint = () => endpoint.url
  try {
    return await run(drizzleNeonHttp(neon(url)))
  } finally {
    endpoint.close()
  }
}

async function startEndpointProcess(): Promise<{ url: string; close(): void }> {
  const port = 20_000 + Math.floor(Math.random() * 20_000)
  const child = spawn(process.execPath, [join(import.meta.dirname, '../../bin/cli.js'), 'neon-http'], {
    env: { ...process.env, NEON_HTTP_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('/sql') && resolve())
    child.on('exit', (code) => reject(new Error(`neon-http endpoint exited with ${code}`)))
  })
  return { url: `http://127.0.0.1:${port}/sql`, close: () => void child.kill() }
}

export async function measureConcurrency({ levels = [1, 10, 100], durationMs = 3_000, log = console.log } = {}): Promise<ConcurrencyResult[]> {
  const database = await createServerDatabase('bench_concurrency')
  const results: ConcurrencyResult[] = []
  try {
    for (const driver of ['node-postgres', 'neon-http'] as const) {
      await withDriver(driver, database.url, async (db) => {
        // lastUsedAt writes are switched off here (interval 1 day): this measures the read path; the
        // throttled write is one extra round trip once a minute per session (see the round-trip table).
        const { auth } = createAuth(db, 'multi', { clock: realClock, session: { lastUsedAtUpdateInterval: '1d' } })
        await auth.ready
        const sessions = auth.getTokenManager(ServerSideSessionsTokenManager)
        const jwt = auth.getTokenManager(JwtTokenManager)
        const tokens = await Promise.all(Array.from({ length: 200 }, (_, i) => sessions.issueToken({ authUserId: `user-${i}`, method: 'email' })))
        for (const clients of levels) {
          const validate = await closedLoop(clients, durationMs, async (client, i) => {
            if (!(await sessions.validateToken(tokens[(client * 7 + i) % tokens.length]!.token))) throw new Error('session did not validate')
          })
          results.push({ driver, operation: 'session validate', clients, ...validate })
          // Each client refreshes its own token family, rotating it on every call.
          const current = await Promise.all(Array.from({ length: clients }, (_, c) => jwt.issueToken({ authUserId: `user-${c}`, method: 'email' }).then((s) => s.refreshToken!)))
          const refresh = await closedLoop(clients, durationMs, async (client) => {
            current[client] = (await jwt.refreshAccessToken(current[client]!)).refreshToken!
          })
          results.push({ driver, operation: 'JWT refresh', clients, ...refresh })
          log(`  scale ${driver} ${clients} clients: validate p50 ${validate.p50Ms.toFixed(2)} ms, refresh p50 ${refresh.p50Ms.toFixed(2)} ms`)
        }
      })
    }
  } finally {
    await database.drop()
  }
  return results
}
