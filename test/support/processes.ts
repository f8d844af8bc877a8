// App servers as separate processes sharing one real database, for the rules that must hold across
// isolates: each child (process-worker.ts) has its own clock — really skewed — and its own connections.
// Commands can be timed to start at one real instant in every child, so races are races.
import { fork, type ChildProcess } from 'node:child_process'
import type { JwtConfigOptions, ServerSideSessionsConfigOptions } from '../../src/index.ts'
import type { Argon2Parameters } from '../../src/serverpod/index.ts'

export interface WorkerConfig {
  driver: 'node-postgres' | 'neon-http' | 'better-sqlite3'
  /** better-sqlite3: the path of the database file. */
  databaseUrl: string
  /** neon-http: the local Neon HTTP endpoint (scripts/neon-http/server.ts). */
  neonEndpoint?: string
  /** How far this process's clock is off the real one. */
  clockOffsetMs?: number
  storeTimeoutMs?: number
  /** `serverpod`: `serverpodStore` on Serverpod's tables (users must exist there, ids are UUIDs). */
  store?: 'drizzle' | 'serverpod'
  /** serverpod: Argon2id cost of new hashes (cheap ones keep a race of hundreds of refreshes short). */
  argon2?: Partial<Argon2Parameters>
  /** The child exits after this long whatever happens (default 3 min). */
  lifetimeMs?: number
  jwt?: Partial<Pick<JwtConfigOptions, 'refreshTokenRotationGracePeriod' | 'refreshTokenLifetime' | 'accessTokenLifetime'>>
  session?: Partial<Pick<ServerSideSessionsConfigOptions, 'defaultSessionInactivityTimeout' | 'lastUsedAtUpdateInterval' | 'validationCache'>>
}

/** `at`: the real-clock instant (ms since epoch) to start at, so every child starts together. */
export type WorkerCommand = { id: number; at?: number } & (
  | { op: 'issue'; authUserId: string; kind?: 'jwt' | 'session' }
  | { op: 'refresh'; tokens: string[] }
  | { op: 'validate'; token: string }
  /** Validates each session token once; returns how many were valid. */
  | { op: 'validateAll'; tokens: string[] }
  /** Validates the session tokens over and over until each is rejected; see process-worker.ts. */
  | { op: 'watch'; tokens: string[]; timeoutMs: number }
  /** Revokes the sessions one after another, `gapMs` apart; returns when each revoke completed (real clock). */
  | { op: 'revokeEach'; tokenIds: string[]; gapMs: number }
  | { op: 'ping' }
  /** The events this process's services emitted so far (once delivered), and forgets them. */
  | { op: 'events' }
)
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never
export type WorkerReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string }

/** One refresh's outcome in a child: the new refresh token, or the error code. */
export type RefreshResult = { ok: true; refreshToken: string } | { ok: false; code: string }

export interface Worker {
  send<T>(command: DistributiveOmit<WorkerCommand, 'id'>): Promise<T>
  readonly child: ChildProcess
}

const workerScript = new URL('./process-worker.ts', import.meta.url)
const startupTimeoutMs = 20_000

export async function startWorker(config: WorkerConfig): Promise<Worker> {
  const child = fork(workerScript, [], { env: { ...process.env, WORKER_CONFIG: JSON.stringify(config) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>()
  let nextId = 1
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('worker did not start')), startupTimeoutMs)
    child.on('message', (reply: WorkerReply) => {
      if (reply.id === 0) return void (clearTimeout(timer), resolve())
      const waiter = pending.get(reply.id)
      pending.delete(reply.id)
      if (reply.ok) waiter?.resolve(reply.value)
      else waiter?.reject(new Error(reply.error))
    })
    child.on('exit', (code) => {
      reject(new Error(`worker exited (${code})`))
      for (const waiter of pending.values()) waiter.reject(new Error(`worker exited (${code})`))
    })
  })
  await ready.catch((error: unknown) => {
    child.kill()
    throw error
  })
  return {
    child,
    send: <T>(command: DistributiveOmit<WorkerCommand, 'id'>) => new Promise<T>((resolve, reject) => {
      const id = nextId++
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      child.send({ ...command, id })
    }),
  }
}

/** Starts several workers at once; if one fails, the others are stopped. */
export async function startWorkers(configs: WorkerConfig[]): Promise<Worker[]> {
  const started = await Promise.allSettled(configs.map(startWorker))
  const failed = started.find((s) => s.status === 'rejected')
  if (!failed) return started.map((s) => (s as PromiseFulfilledResult<Worker>).value)
  stopWorkers(started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : [])))
  throw failed.reason
}

export function stopWorkers(workers: Worker[]): void {
  for (const worker of workers) worker.child.kill()
}

/** A real-clock instant a little ahead, for commands that must start together in every child. */
export const soon = (ms = 150) => Date.now() + ms
