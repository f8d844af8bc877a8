// Adversaries read logs. Every runtime export of every entry point is built with known secrets (HS512
// key, peppers and fallback peppers, an ES512 private key, a database password) and every object that
// comes out — configs, algorithms, managers, services, the store, middleware, the client — and everything
// reachable from it is printed every way an app or a library might print it. No secret may show in any
// spelling. An export this walk does not know fails the test, so a new export is a deliberate decision.
// Every kind of AuthEvent is produced on the same secrets and walked the same way.
import { inspect } from 'node:util'
import BetterSqlite3 from 'better-sqlite3'
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3'
import { pgSchema } from 'drizzle-orm/pg-core'
import { drizzle } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import { expect, it } from 'vitest'
import * as clientEntry from '../../src/client/index.ts'
import { SecretHasher } from '../../src/crypto/secret-hash.ts'
import * as drizzleEntry from '../../src/drizzle/index.ts'
import * as honoEntry from '../../src/hono/index.ts'
import * as jwtEntry from '../../src/jwt/index.ts'
import * as rootEntry from '../../src/index.ts'
import { pepperedHasher } from '../../src/managers/peppers.ts'
import { Argon2idHasher } from '../../src/serverpod/argon2.ts'
import { ServerpodSessionHasher } from '../../src/serverpod/hashes.ts'
import * as serverpodEntry from '../../src/serverpod/index.ts'
import * as sqliteEntry from '../../src/sqlite/index.ts'
import { es512KeyMaterial } from '../support/forge.ts'
import { createPgliteDatabase } from '../support/postgres.ts'
import { spellings } from '../support/spellings.ts'

const secrets = {
  hmac: 'walk-hmac-sha512-key-9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928',
  oldHmac: 'walk-old-hmac-sha512-key-0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e',
  refreshPepper: 'walk-refresh-pepper-5e4d3c2b1a',
  oldRefreshPepper: 'walk-old-refresh-pepper-a1b2c3d4e5',
  sessionPepper: 'walk-session-pepper-0f1e2d3c4b',
  oldSessionPepper: 'walk-old-session-pepper-9a8b7c6d5e',
  databasePassword: 'walk-database-password-13579',
  dpopNonceSecret: 'walk-dpop-nonce-secret-2468ace02468ace0',
}

const isObject = (v: unknown): v is object => (v !== null && typeof v === 'object') || typeof v === 'function'
const attempt = (print: () => string | undefined) => {
  try {
    return print() ?? ''
  } catch {
    return null // this printer refuses the value (structuredClone of a function, a cycle in JSON): nothing printed
  }
}

/** Every way an object gets written down. Each returns text, or null when that printer refuses it. */
const printers: Record<string, (value: unknown) => string | null> = {
  'console.log': (v) => inspect(v),
  'util.inspect everything': (v) => inspect(v, { showHidden: true, depth: Infinity, getters: true }),
  'JSON.stringify': (v) => attempt(() => JSON.stringify(v)),
  String: (v) => attempt(() => String(v)),
  template: (v) => attempt(() => `${v as string}`),
  'Object.keys': (v) => (isObject(v) ? Object.keys(v).join(' ') : null),
  'Object.entries': (v) => (isObject(v) ? inspect(Object.entries(v), { depth: Infinity }) : null),
  'Reflect.ownKeys': (v) => (isObject(v) ? Reflect.ownKeys(v).map(String).join(' ') : null),
  'Object.getOwnPropertyDescriptors': (v) => (isObject(v) ? inspect(Object.getOwnPropertyDescriptors(v), { depth: Infinity, showHidden: true, getters: true }) : null),
  structuredClone: (v) => attempt(() => inspect(structuredClone(v), { depth: Infinity, showHidden: true, getters: true })),
}

const isBuiltIn = (proto: object) => {
  const ctor = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value
  return typeof ctor !== 'function' || Function.prototype.toString.call(ctor).includes('[native code]')
}

/** A promise's value if it has settled by the next macrotask, else undefined (never hangs on a pending one). */
const settled = (promise: Promise<unknown>) =>
  Promise.race([promise.then((v) => v, (e: unknown) => e), new Promise((resolve) => setTimeout(resolve, 0, undefined))])

/**
 * Every object reachable from the roots by code holding them: own properties (hidden and symbol-keyed
 * too), getters (own, and on the library's prototypes), array/Map/Set contents, settled promises' values.
 * The app's own objects (`foreign`: its database) are not entered — but printing their holder prints them.
 */
async function reachable(roots: Map<string, unknown>, foreign: Set<unknown>): Promise<Map<object, string>> {
  const paths = new Map<object, string>()
  const queue = [...roots].map(([path, value]) => ({ path, value }))
  for (let next = queue.shift(); next; next = queue.shift()) {
    const { path, value } = next
    if (!isObject(value) || paths.has(value) || foreign.has(value) || value === globalThis) continue
    paths.set(value, path)
    const visit = (key: PropertyKey, read: () => unknown) => {
      try {
        queue.push({ path: `${path}.${String(key)}`, value: read() })
      } catch { /* a getter that throws exposes nothing */ }
    }
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key)!
      visit(key, () => ('value' in descriptor ? descriptor.value : descriptor.get?.call(value)))
    }
    for (let proto = Object.getPrototypeOf(value); proto && !isBuiltIn(proto); proto = Object.getPrototypeOf(proto)) {
      for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(proto))) {
        if (descriptor.get) visit(key, () => descriptor.get!.call(value))
      }
    }
    if (value instanceof Map) for (const [k, v] of value) queue.push({ path: `${path}<key>`, value: k }, { path: `${path}<value>`, value: v })
    if (value instanceof Set) for (const v of value) queue.push({ path: `${path}<item>`, value: v })
    if (value instanceof Promise) queue.push({ path: `${path}<resolved>`, value: await settled(value) })
  }
  return paths
}

/** One of each event (and each validation failure) from services built on the walk's secrets. */
async function everyEvent(jwtConfig: rootEntry.JwtConfig, sessionsConfig: rootEntry.ServerSideSessionsConfig): Promise<{ events: rootEntry.AuthEvent[]; tokens: string[] }> {
  // A P-521 pair the walked services do not know: its tokens fail as signed by an unknown key.
  const other = await es512KeyMaterial()
  const es512 = rootEntry.JwtAlgorithm.ecdsaSha512({ privateKey: other.privateKey, publicKey: other.publicKey })
  const events: rootEntry.AuthEvent[] = []
  const database = await createPgliteDatabase()
  let now = Date.parse('2026-06-01T12:00:00Z')
  const clock = () => new Date(now)
  const auth = rootEntry.initializeAuthServices({
    store: drizzleEntry.drizzleTokenStore(database.db), clock, tokenManagerBuilders: [jwtConfig, sessionsConfig], onEvent: (e) => void events.push(e),
  })
  const es = rootEntry.initializeAuthServices({ store: drizzleEntry.drizzleTokenStore(database.db), clock, tokenManagerBuilders: [new rootEntry.JwtConfig({ algorithm: es512, refreshTokenHashPepper: secrets.refreshPepper })] })
  const jwt = auth.getTokenManager(rootEntry.JwtTokenManager)
  const sessions = auth.getTokenManager(rootEntry.ServerSideSessionsTokenManager)
  const context = { ipAddress: '192.0.2.1', userAgent: 'walk' }
  const signedIn = await auth.tokenManager.issueToken({ authUserId: 'walker', method: 'email', scopes: ['s'], context })
  const session = await sessions.issueToken({ authUserId: 'walker', method: 'email', expiresAt: new Date(now + 60_000), context })
  await jwt.refreshAccessToken(signedIn.refreshToken!, { context })
  await jwt.refreshAccessToken(signedIn.refreshToken!, { context })
  now += 120_000
  await jwt.refreshAccessToken(signedIn.refreshToken!, { context }).catch(() => {})
  for (const token of [session.token, signedIn.token, 'garbage', `${signedIn.token.slice(0, -4)}AAAA`, (await es.tokenManager.issueToken({ authUserId: 'w', method: 'm' })).token]) {
    await auth.tokenManager.validateToken(token, { context })
  }
  await auth.tokenManager.revokeAllTokens({ authUserId: 'walker', reason: 'sign-out-all', context })
  const down = new pg.Pool({ connectionString: `postgres://postgres:${secrets.databasePassword}@127.0.0.1:1/none` })
  const unavailable = rootEntry.initializeAuthServices({ store: drizzleEntry.drizzleTokenStore(drizzle(down), { logger: { error: () => {} } }), tokenManagerBuilders: [sessionsConfig], onEvent: (e) => void events.push(e) })
  await unavailable.tokenManager.issueToken({ authUserId: 'w', method: 'm' }).catch(() => {})
  await Promise.all([auth.events.settled(), unavailable.events.settled()])
  await Promise.all([down.end(), database.close()])
  const kinds = new Set(events.map((e) => (e.type === 'validation-failed' ? `${e.type}:${e.reason}` : e.type)))
  expect([...kinds].sort()).toEqual([
    'refresh', 'reuse-detected', 'revocation', 'session-expired', 'sign-in', 'storage-unavailable',
    'validation-failed:bad-signature', 'validation-failed:expired', 'validation-failed:malformed', 'validation-failed:unknown-key',
  ])
  return { events, tokens: [signedIn.token, signedIn.refreshToken!, session.token] }
}

it('no exported object, nor anything reachable from one, prints a secret, pepper, password or private key', async () => {
  const es = await es512KeyMaterial()
  const privateJwk = await crypto.subtle.exportKey('jwk', es.privateKey)
  const privatePkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', es.privateKey))
  const privatePem = `-----BEGIN PRIVATE KEY-----\n${btoa(String.fromCharCode(...privatePkcs8))}\n-----END PRIVATE KEY-----`
  const { JwtAlgorithm, JwtConfig, JwtConfigFromPasswords, ServerSideSessionsConfig, ServerSideSessionsConfigFromPasswords } = rootEntry
  const pool = new pg.Pool({ connectionString: `postgres://postgres:${secrets.databasePassword}@127.0.0.1:5432/test` })
  const db = drizzle(pool)
  const store = drizzleEntry.drizzleTokenStore(db)

  const hs512 = JwtAlgorithm.hmacSha512(secrets.hmac)
  const es512 = JwtAlgorithm.ecdsaSha512({ privateKey: privatePem, publicKey: es.pem })
  const es512Jwk = JwtAlgorithm.ecdsaSha512({ privateKey: privateJwk, publicKey: es.jwk })
  const jwtConfig = new JwtConfig({
    algorithm: hs512, refreshTokenHashPepper: secrets.refreshPepper, fallbackRefreshTokenHashPeppers: [secrets.oldRefreshPepper],
    fallbackVerificationAlgorithms: [JwtAlgorithm.hmacSha512(secrets.oldHmac), es512Jwk],
  })
  const sessionsConfig = new ServerSideSessionsConfig({ sessionKeyHashPepper: secrets.sessionPepper, fallbackSessionKeyHashPeppers: [secrets.oldSessionPepper] })
  const passwords = {
    jwtHmacSha512PrivateKey: secrets.hmac,
    SERVERPOD_PASSWORD_jwtRefreshTokenHashPepper: secrets.refreshPepper,
    serverSideSessionKeyHashPepper: secrets.sessionPepper,
  }
  const auth = rootEntry.initializeAuthServices({ store, tokenManagerBuilders: [jwtConfig, sessionsConfig, new JwtConfig({ algorithm: es512, refreshTokenHashPepper: secrets.oldRefreshPepper })] })
  await auth.ready
  const authSource = () => auth
  const serverpodStore = serverpodEntry.serverpodStore(db)
  const serverpodAuth = rootEntry.initializeAuthServices({ store: serverpodStore, tokenManagerBuilders: [jwtConfig, sessionsConfig] })
  await serverpodAuth.ready
  const { events, tokens } = await everyEvent(jwtConfig, sessionsConfig)
  const jwtManager = auth.getTokenManager(rootEntry.JwtTokenManager)
  const sessionsManager = auth.getTokenManager(rootEntry.ServerSideSessionsTokenManager)

  // Each export → the objects it yields. Error classes are handled below; plain data and pure functions
  // that hold nothing are listed as such (they are still walked as exports).
  const built: Record<string, () => unknown[] | Promise<unknown[]>> = {
    JwtAlgorithm: async () => [hs512, es512, es512Jwk, await hs512.keys(), await es512.keys(), await es512Jwk.keys()],
    JwtConfig: () => [jwtConfig],
    JwtConfigFromPasswords: () => [new JwtConfigFromPasswords(passwords)],
    ServerSideSessionsConfig: () => [sessionsConfig],
    ServerSideSessionsConfigFromPasswords: () => [new ServerSideSessionsConfigFromPasswords(passwords)],
    initializeAuthServices: () => [auth],
    MultiTokenManager: () => [auth.tokenManager, new rootEntry.MultiTokenManager(jwtManager, [sessionsManager])],
    JwtTokenManager: () => [jwtManager],
    ServerSideSessionsTokenManager: () => [sessionsManager],
    drizzleTokenStore: () => [store],
    tokenTables: () => [drizzleEntry.tokenTables({ schema: pgSchema('auth') }), sqliteEntry.tokenTables()],
    sqliteTokenStore: () => {
      const sqliteStore = sqliteEntry.sqliteTokenStore(drizzleSqlite(new BetterSqlite3(':memory:')))
      return [sqliteStore, rootEntry.initializeAuthServices({ store: sqliteStore, tokenManagerBuilders: [jwtConfig, sessionsConfig] })]
    },
    serverpodStore: () => [serverpodStore, serverpodAuth, serverpodAuth.getTokenManager(rootEntry.JwtTokenManager)],
    authenticate: () => [honoEntry.authenticate({ auth }), honoEntry.authenticate({ auth: authSource, cookies: honoEntry.tokenCookies({ session: 'session' }), optional: true })],
    authRoutes: () => [honoEntry.authRoutes(auth), honoEntry.authRoutes(authSource, { cookies: honoEntry.tokenCookies({ session: 'session' }) })],
    requireScopes: () => [honoEntry.requireScopes('admin')],
    tokenCookies: () => [honoEntry.tokenCookies()],
    cachePerEnv: () => [honoEntry.cachePerEnv(() => auth)],
    createAuthClient: () => [clientEntry.createAuthClient({ baseUrl: 'https://app.example', storage: clientEntry.memoryStorage() })],
    memoryStorage: () => [clientEntry.memoryStorage()],
    localStorageStorage: () => [clientEntry.localStorageStorage('walk')],
    webLocks: () => [clientEntry.webLocks()],
    noLock: () => [clientEntry.noLock],
    DpopVerifier: async () => {
      const verifier = new rootEntry.DpopVerifier({ nonce: { secret: secrets.dpopNonceSecret } })
      await verifier.nonce()
      return [verifier, new rootEntry.DpopVerifier()]
    },
    createAccessTokenVerifier: async () => {
      const verifiers = [jwtEntry.createAccessTokenVerifier({ keys: [secrets.hmac, new TextEncoder().encode(secrets.oldHmac), es.publicKey] })]
      await verifiers[0]!.ready
      return verifiers
    },
  }
  const holdNothing = new Set(['errorCodes', 'authRefreshToken', 'authSession', 'guard', 'requestContext'])
  const entries = { root: rootEntry, drizzle: drizzleEntry, sqlite: sqliteEntry, hono: honoEntry, client: clientEntry, jwt: jwtEntry, serverpod: serverpodEntry }

  const roots = new Map<string, unknown>()
  const unknown: string[] = []
  for (const [entry, module] of Object.entries(entries)) {
    for (const [name, value] of Object.entries(module)) {
      roots.set(`${entry}.${name}`, value) // the export itself: a static field could hold a secret too
      if (typeof value === 'function' && value.prototype instanceof Error) {
        roots.set(`new ${entry}.${name}()`, new (value as new (a: string, b: string) => Error)('x', 'y'))
      } else if (built[name]) {
        for (const [i, object] of (await built[name]()).entries()) roots.set(`${entry}.${name}→${i}`, object)
      } else if (!holdNothing.has(name)) unknown.push(`${entry}.${name}`)
    }
  }
  expect(unknown, 'exports this walk does not know how to build').toEqual([])
  // Internal objects that hold peppers: the hashers the configs build.
  roots.set('pepperedHasher', pepperedHasher({
    pepper: secrets.refreshPepper, pepperOption: 'p', fallbackPeppers: [secrets.oldRefreshPepper], fallbackOption: 'f', algorithm: undefined,
  }))
  roots.set('SecretHasher', new SecretHasher({ pepper: secrets.sessionPepper, algorithm: { name: 'PBKDF2-SHA512', iterations: 1_000 } }))
  roots.set('Argon2idHasher', new Argon2idHasher({ pepper: secrets.refreshPepper, fallbackPeppers: [secrets.oldRefreshPepper] }, { memory: 64, iterations: 1, lanes: 1 }))
  roots.set('ServerpodSessionHasher', new ServerpodSessionHasher({ pepper: secrets.sessionPepper, fallbackPeppers: [secrets.oldSessionPepper] }))

  for (const [i, event] of events.entries()) roots.set(`event ${event.type}→${i}`, event)
  const objects = await reachable(roots, new Set([db, pool]))
  expect(objects.size).toBeGreaterThan(100)

  const needles = new Map<string, string>()
  for (const [name, secret] of Object.entries(secrets)) for (const s of spellings(secret)) needles.set(s, name)
  for (const s of spellings(privatePkcs8)) needles.set(s, 'ES512 private key (PKCS#8)')
  for (const s of spellings(privateJwk.d!)) needles.set(s, 'ES512 private key (JWK d)')
  for (const token of tokens) for (const s of spellings(token)) needles.set(s, 'a token the events were about')

  const leaks = new Set<string>()
  const keys: CryptoKey[] = []
  for (const [value, path] of objects) {
    if (value instanceof CryptoKey) keys.push(value)
    for (const [printer, print] of Object.entries(printers)) {
      const text = print(value)
      if (text === null) continue
      for (const [needle, name] of needles) if (text.includes(needle)) leaks.add(`${path} via ${printer}: ${name}`)
    }
  }
  expect([...leaks]).toEqual([])
  // Key material the library imported stays inside Web Crypto: only public keys may be exported.
  expect(keys.length).toBeGreaterThanOrEqual(5)
  expect(keys.filter((k) => k.type !== 'public' && k.extractable).map((k) => `${k.type} ${k.algorithm.name}`)).toEqual([])
  await pool.end()
})
