// Builds AuthServices for unit tests from src/: real store, a clock the test moves, the shared test secrets.
import {
  initializeAuthServices, JwtAlgorithm, JwtConfig, ServerSideSessionsConfig,
  type AuthEventHandler, type AuthUsers, type JwtConfigOptions, type ServerSideSessionsConfigOptions,
} from '../../src/index.ts'
import { drizzleTokenStore, type AnyPgDatabase, type DrizzleTokenStoreOptions } from '../../src/drizzle/index.ts'
import { secrets, testClock, type TestClock } from '../conformance/fixtures.ts'

export { secrets, testClock, withWrongSecret, type TestClock } from '../conformance/fixtures.ts'

// These mirror conformance/support.ts on purpose: unit tests build from src/, the conformance suite from
// the published package (dist/), and a class of one is not an instance of the other.
export function jwtConfig(options: Partial<JwtConfigOptions> = {}) {
  return new JwtConfig({ algorithm: JwtAlgorithm.hmacSha512(secrets.hmac), refreshTokenHashPepper: secrets.refreshPepper, ...options })
}

export function sessionsConfig(options: Partial<ServerSideSessionsConfigOptions> = {}) {
  return new ServerSideSessionsConfig({ sessionKeyHashPepper: secrets.sessionPepper, ...options })
}

export type ManagerKind = 'jwt' | 'session' | 'multi'

/** `multi` = JWT primary + sessions additional, as the demo runs. */
export function createAuth(
  db: AnyPgDatabase,
  kind: ManagerKind,
  options: {
    /** `'database'`: no injected clock, as in production (stored-state rules on the database's clock). */
    clock?: TestClock | 'database'
    jwt?: Partial<JwtConfigOptions>
    session?: Partial<ServerSideSessionsConfigOptions>
    authUsers?: AuthUsers
    store?: DrizzleTokenStoreOptions
    onEvent?: AuthEventHandler
  } = {},
) {
  const clock = options.clock === 'database' || options.clock === undefined ? testClock() : options.clock
  const builders = {
    jwt: [jwtConfig(options.jwt)],
    session: [sessionsConfig(options.session)],
    multi: [jwtConfig(options.jwt), sessionsConfig(options.session)],
  }[kind]
  const auth = initializeAuthServices({
    store: drizzleTokenStore(db, options.store),
    tokenManagerBuilders: builders,
    ...(options.clock !== 'database' && { clock }),
    ...(options.authUsers && { authUsers: options.authUsers }),
    ...(options.onEvent && { onEvent: options.onEvent }),
  })
  return { auth, clock }
}

/** Inputs that are not tokens of any manager; validateToken must answer null to each. */
export const garbageTokens = [
  '', ' ', 'null', 'Bearer', 'a.b.c', '..', 'eyJ.eyJ.sig', 'etmrt_', 'etmst_', `etmst_${'A'.repeat(60)}`,
  `etmrt_${'A'.repeat(86)}`, 'x'.repeat(10_000), '\u0000\u0001', '😀.😀.😀',
]
