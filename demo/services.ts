// The demo's auth configuration, shared by both entry points: JWT primary (issues), sessions additional
// (the sign-in form can ask for one), secrets and lifetimes from the environment, and the seed's
// TokenMetadata written by the creation callbacks in the same statement (or D1 batch) as the token row.
// The same on Postgres and D1: the storage (demo/storage.ts) is the only part that knows the dialect.
// AUTH_MODE=dpop binds every sign-in to the browser's key (DPoP required by both managers).
import {
  initializeAuthServices, JwtConfigFromPasswords, ServerSideSessionsConfigFromPasswords, type AuthServices, type Duration,
} from '../src/index.ts'
// The library's own parser (internal): the demo reports a bad variable by its name at start-up.
import { toMilliseconds } from '../src/managers/duration.ts'
import { insertMetadata, type DemoStorage } from './storage.ts'
import { activityRecorder } from './activity.ts'

/** What the app needs per isolate or request (Workers) or per process (Node). */
export interface DemoServices {
  storage: DemoStorage
  auth: AuthServices
  /** Access token lifetime in ms: the page refreshes a third of it before expiry (at most 30 s). */
  accessTokenLifetimeMs: number
  /** `AUTH_MODE`: how the page keeps its sign-in. */
  authMode: DemoAuthMode
}

/**
 * `'cookie'` (default): the long-lived token in an HttpOnly cookie. `'dpop'`: every token in the page's
 * storage, bound to its non-extractable key; sign-ins and refreshes without a proof are refused.
 *
 * @example
 * ```ts
 * const services = createDemoServices(storage, { ...secrets, AUTH_MODE: 'dpop' }) // services.authMode === 'dpop'
 * ```
 */
export type DemoAuthMode = 'cookie' | 'dpop'

/** The environment the demo reads: secrets (the library's names) plus optional lifetimes. */
export type DemoEnv = Readonly<Record<string, unknown>> & {
  /** e.g. `5s` to watch refreshes happen; default `10m`. */
  ACCESS_TOKEN_LIFETIME?: string
  /** Default `14d`. */
  REFRESH_TOKEN_LIFETIME?: string
  /** Default: sessions never expire. */
  SESSION_LIFETIME?: string
  /** Default: no inactivity timeout. */
  SESSION_INACTIVITY_TIMEOUT?: string
  /** How long a replayed refresh token counts as a lost response, not a reuse. Default `10s`. */
  REFRESH_TOKEN_ROTATION_GRACE_PERIOD?: string
  /** `cookie` (default) or `dpop`: see {@link DemoAuthMode}. */
  AUTH_MODE?: string
}

/** Where a token was created from: the issue `context` the callbacks receive. */
export interface RequestInfo {
  name: string
  deviceName: string | null
  ipAddress: string | null
  userAgent: string | null
}

const durationFrom = (value: unknown, name: string): Duration | undefined => {
  if (value === undefined || value === '') return undefined
  const duration = (/^\d+$/.test(String(value)) ? Number(value) : String(value)) as Duration
  toMilliseconds(duration, name) // fail at start-up with the variable's name
  return duration
}

const authModeFrom = (value: unknown): DemoAuthMode => {
  if (value === undefined || value === '' || value === 'cookie') return 'cookie'
  if (value === 'dpop') return 'dpop'
  throw new Error("AUTH_MODE must be 'cookie' or 'dpop'.") // at start-up, with the variable's name
}

// Tokens issued without a request (scripts, tests) still get a row, as the seed's 'general-token'.
const metadataOf = (context: RequestInfo | undefined): RequestInfo =>
  context ?? { name: 'general-token', deviceName: null, ipAddress: null, userAgent: null }

/**
 * Builds the demo's auth services on its storage: Postgres or SQLite (D1).
 *
 * @example
 * ```ts
 * const services = createDemoServices(postgresStorage(drizzle(neon(env.DATABASE_URL))), env)
 * ```
 */
export function createDemoServices(storage: DemoStorage, env: DemoEnv): DemoServices {
  const accessTokenLifetime = durationFrom(env.ACCESS_TOKEN_LIFETIME, 'ACCESS_TOKEN_LIFETIME') ?? '10m'
  const refreshTokenLifetime = durationFrom(env.REFRESH_TOKEN_LIFETIME, 'REFRESH_TOKEN_LIFETIME')
  const sessionLifetime = durationFrom(env.SESSION_LIFETIME, 'SESSION_LIFETIME')
  const sessionInactivity = durationFrom(env.SESSION_INACTIVITY_TIMEOUT, 'SESSION_INACTIVITY_TIMEOUT')
  const gracePeriod = durationFrom(env.REFRESH_TOKEN_ROTATION_GRACE_PERIOD, 'REFRESH_TOKEN_ROTATION_GRACE_PERIOD')
  const authMode = authModeFrom(env.AUTH_MODE)
  // DPoP mode: no sign-in, refresh or validation without a proof of the sign-in's key.
  const dpop = authMode === 'dpop' ? { dpop: 'required' as const } : {}
  const auth = initializeAuthServices({
    store: storage.store,
    tokenManagerBuilders: [
      new JwtConfigFromPasswords<unknown, RequestInfo | undefined>(env, {
        accessTokenLifetime,
        ...(refreshTokenLifetime !== undefined && { refreshTokenLifetime }),
        ...(gracePeriod !== undefined && { refreshTokenRotationGracePeriod: gracePeriod }),
        ...dpop,
        // The seed's callback: runs for every new refresh token, atomically with its row.
        onRefreshTokenCreated: ({ refreshTokenId, db, context }) => [insertMetadata(storage, db, { refreshTokenId, ...metadataOf(context) })],
      }),
      new ServerSideSessionsConfigFromPasswords<unknown, RequestInfo | undefined>(env, {
        ...(sessionLifetime !== undefined && { defaultSessionLifetime: sessionLifetime }),
        ...(sessionInactivity !== undefined && { defaultSessionInactivityTimeout: sessionInactivity }),
        ...dpop,
        onSessionCreated: ({ sessionId, db, context }) => [insertMetadata(storage, db, { sessionId, ...metadataOf(context) })],
      }),
    ],
    // The activity page: sign-ins, refreshes, revocations and reuse detections, written after each response.
    onEvent: activityRecorder(storage),
  })
  return { storage, auth, accessTokenLifetimeMs: toMilliseconds(accessTokenLifetime, 'ACCESS_TOKEN_LIFETIME'), authMode }
}
