// A Worker for the D1 benchmark: the store operations an app runs per request (session validate, session
// issue, JWT refresh, session list), on D1 (the binding, counted) and on Postgres through neon-http, timed
// and counted inside workerd. POST /run/<store>/<operation>?n=N runs N operations back to back and answers
// each one's latency and how many database requests (round trips) and statements it took.
import type { D1Database } from '@cloudflare/workers-types'
import { neon, neonConfig } from '@neondatabase/serverless'
import { drizzle as drizzleD1 } from 'drizzle-orm/d1'
import { drizzle as drizzleNeon } from 'drizzle-orm/neon-http'
import { drizzleTokenStore } from '../../src/drizzle/index.ts'
import {
  initializeAuthServices, JwtAlgorithm, JwtConfig, JwtTokenManager, ServerSideSessionsConfig, ServerSideSessionsTokenManager, type TokenStore,
} from '../../src/index.ts'
import { sqliteTokenStore } from '../../src/sqlite/index.ts'
import { countedD1 } from '../../test/support/d1-counter.ts'
import { d1Operations, d1Stores, type D1RunAnswer, type Operation, type Store } from './d1-operations.ts'

interface Env {
  DB: D1Database
  DATABASE_URL: string
  NEON_FETCH_ENDPOINT: string
  HS512_SECRET: string
  PEPPER: string
}

const tally = { requests: 0, statements: 0 }
const count = (statements: number) => {
  tally.requests++
  tally.statements += statements
}

/** neon-http sends one statement per request, or a batch `{ queries: [...] }`. */
function statementsIn(body: unknown): number {
  try {
    const parsed = JSON.parse(String(body)) as { queries?: unknown[] }
    return parsed.queries?.length ?? 1
  } catch {
    return 1
  }
}

function storeFor(store: Store, env: Env): TokenStore<unknown> {
  if (store === 'd1') return sqliteTokenStore(drizzleD1(countedD1(env.DB, count)))
  neonConfig.fetchEndpoint = () => env.NEON_FETCH_ENDPOINT
  neonConfig.fetchFunction = (url: string, init: RequestInit) => (count(statementsIn(init.body)), fetch(url, init))
  return drizzleTokenStore(drizzleNeon(neon(env.DATABASE_URL))) as TokenStore<unknown>
}

interface State {
  sessions: ServerSideSessionsTokenManager
  jwt: JwtTokenManager
  validTokens: string[]
  refreshToken: string
  issued: number
}

// Built once per isolate and store, with the tokens the operations use: 100 sessions to validate, one
// user holding 10 sessions to list, one refresh token whose chain the refreshes follow.
const states = new Map<Store, Promise<State>>()
function stateFor(store: Store, env: Env): Promise<State> {
  let state = states.get(store)
  if (!state) {
    state = (async () => {
      // lastUsedAt writes at most daily: the read path (the throttled write is one statement a minute).
      const auth = initializeAuthServices({
        store: storeFor(store, env),
        tokenManagerBuilders: [
          new JwtConfig({ algorithm: JwtAlgorithm.hmacSha512(env.HS512_SECRET), refreshTokenHashPepper: env.PEPPER }),
          new ServerSideSessionsConfig({ sessionKeyHashPepper: env.PEPPER, lastUsedAtUpdateInterval: '1d' }),
        ],
      })
      await auth.ready
      const sessions = auth.getTokenManager(ServerSideSessionsTokenManager)
      const jwt = auth.getTokenManager(JwtTokenManager)
      const validTokens = []
      for (let i = 0; i < 100; i++) validTokens.push((await sessions.issueToken({ authUserId: `bench-${i}`, method: 'email' })).token)
      for (let i = 0; i < 10; i++) await sessions.issueToken({ authUserId: 'bench-list', method: 'email', scopes: ['admin'] })
      const refreshToken = (await jwt.issueToken({ authUserId: 'bench-jwt', method: 'email' })).refreshToken!
      return { sessions, jwt, validTokens, refreshToken, issued: 0 }
    })()
    states.set(store, state)
  }
  return state
}

async function runOnce(state: State, operation: Operation, i: number): Promise<void> {
  if (operation === 'session validate') {
    if (!(await state.sessions.validateToken(state.validTokens[i % state.validTokens.length]!))) throw new Error('a valid session did not validate')
  } else if (operation === 'session issue') {
    await state.sessions.issueToken({ authUserId: `bench-new-${state.issued++}`, method: 'email' })
  } else if (operation === 'JWT refresh') {
    state.refreshToken = (await state.jwt.refreshAccessToken(state.refreshToken)).refreshToken!
  } else if ((await state.sessions.listTokens({ authUserId: 'bench-list' })).length !== 10) {
    throw new Error('session list: expected 10 sessions')
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url)
    const [, route, store, operation] = url.pathname.split('/').map(decodeURIComponent)
    if (route !== 'run' || !d1Stores.includes(store as Store) || !d1Operations.includes(operation as Operation)) return new Response('not found', { status: 404 })
    const n = Number(url.searchParams.get('n') ?? 100)
    const state = await stateFor(store as Store, env)
    const answer: D1RunAnswer = { timings: [], totalMs: 0, requests: [], statements: [] }
    const start = performance.now()
    for (let i = 0; i < n; i++) {
      ;[tally.requests, tally.statements] = [0, 0]
      const t0 = performance.now()
      await runOnce(state, operation as Operation, i)
      answer.timings.push(performance.now() - t0)
      answer.requests.push(tally.requests)
      answer.statements.push(tally.statements)
    }
    answer.totalMs = performance.now() - start
    return Response.json(answer)
  },
}
