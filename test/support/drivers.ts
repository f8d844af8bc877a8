// The Drizzle drivers the store must work with, each on a real Postgres: embedded PGlite, and the local
// server through node-postgres, through Neon's HTTP protocol (drizzle-orm/neon-http) and through Neon's
// WebSocket driver (drizzle-orm/neon-serverless).
import { neon, neonConfig, Pool as NeonPool } from '@neondatabase/serverless'
import { drizzle as drizzleNeonHttp } from 'drizzle-orm/neon-http'
import { drizzle as drizzleNeonServerless } from 'drizzle-orm/neon-serverless'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import type { AnyPgDatabase } from '../../src/drizzle/index.ts'
import { startNeonHttpServer } from '../../scripts/neon-http/server.ts'
import { startNeonWsRelay } from './neon-ws-relay.ts'
import { createPgliteDatabase, createServerDatabase, type DatabaseOptions } from './postgres.ts'
import ws from 'ws'

export const driverNames = ['pglite', 'node-postgres', 'neon-http', 'neon-serverless'] as const
/** Drivers with interactive transactions (`db.transaction(async (tx) => …)`); neon-http has none. */
export const transactionalDriverNames = ['pglite', 'node-postgres', 'neon-serverless'] as const
export type DriverName = (typeof driverNames)[number]

export interface OpenDatabase {
  driver: DriverName
  db: AnyPgDatabase
  /** Runs SQL directly (bypassing the store) to inspect or tamper with rows in tests. */
  query(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>
  close(): Promise<void>
}

export async function openDatabase(driver: DriverName, options: DatabaseOptions = {}): Promise<OpenDatabase> {
  if (driver === 'pglite') {
    const { client, db, close } = await createPgliteDatabase(options)
    return { driver, db, query: async (text, params) => (await client.query<Record<string, unknown>>(text, params)).rows, close }
  }
  const database = await createServerDatabase(driver, options)
  const pool = new pg.Pool({ connectionString: database.url, max: 10 })
  // pool.end() resolves before its sockets close; `drop … with (force)` then ends those backends, and the
  // FATAL reaches a removed client whose listener re-emits it on the pool: without this, an uncaught error.
  pool.on('error', () => {})
  const query = async (text: string, params?: unknown[]) => (await pool.query(text, params)).rows
  if (driver === 'node-postgres') {
    return { driver, db: drizzlePg(pool), query, close: async () => { await pool.end(); await database.drop() } }
  }
  if (driver === 'neon-serverless') {
    const relay = await startNeonWsRelay()
    // Plain WebSockets to the local relay, which speaks TCP to the server: no TLS, no pipelining tricks.
    Object.assign(neonConfig, { wsProxy: (host: string, port: number | string) => `${relay.host}/v2?address=${host}:${port}`, useSecureWebSocket: false, pipelineTLS: false, pipelineConnect: false, webSocketConstructor: ws })
    const neonPool = new NeonPool({ connectionString: database.url, max: 10 })
    neonPool.on('error', () => {})
    return {
      driver,
      db: drizzleNeonServerless(neonPool),
      query,
      close: async () => {
        await neonPool.end()
        await relay.close()
        await pool.end()
        await database.drop()
      },
    }
  }
  const endpoint = await startNeonHttpServer({ port: 0 })
  neonConfig.fetchEndpoint = () => endpoint.url
  return {
    driver,
    db: drizzleNeonHttp(neon(database.url)),
    query,
    close: async () => {
      await endpoint.close()
      await pool.end()
      await database.drop()
    },
  }
}
