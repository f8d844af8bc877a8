// Adversaries read logs. Every runtime export of every entry point is built with known secrets (HS512
// key, peppers and fallback peppers, an ES512 private key) and each object that comes out — configs,
// algorithms, managers, services, the store, middleware, the client — is printed every way an app or a
// library might print it. No secret may show in any spelling. An export this walk does not know fails
// the test, so a new export is a deliberate decision here too.
import { inspect } from 'node:util'
import { drizzle } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import { expect, it } from 'vitest'
import * as clientEntry from '../../src/client/index.ts'
import * as drizzleEntry from '../../src/drizzle/index.ts'
import * as honoEntry from '../../src/hono/index.ts'
import * as rootEntry from '../../src/index.ts'
import { es512KeyMaterial } from '../support/forge.ts'
import { spellings } from '../support/spellings.ts'

const secrets = {
  hmac: 'walk-hmac-sha512-key-9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928',
  oldHmac: 'walk-old-hmac-sha512-key-0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e',
  refreshPepper: 'walk-refresh-pepper-5e4d3c2b1a',
  oldRefreshPepper: 'walk-old-refresh-pepper-a1b2c3d4e5',
  sessionPepper: 'walk-session-pepper-0f1e2d3c4b',
  oldSessionPepper: 'walk-old-session-pepper-9a8b7c6d5e',
}
const databasePassword = 'walk-database-password-13579'

/** Every way an object gets written down. Each returns text, or null when that printer refuses it. */
const printers: Record<string, (value: unknown) => string | null> = {
  'console.log': (v) => inspect(v),
  'util.inspect everything': (v) => inspect(v, { showHidden: true, depth: Infinity, getters: true }),
  'JSON.stringify': (v) => { try { return JSON.stringify(v) ?? '' } catch { return null } },
  String: (v) => { try { return String(v) } catch { return null } },
  template: (v) => { try { return `${v as string}` } catch { return null } },
  'Object.entries': (v) => (v !== null && typeof v === 'object') || typeof v === 'function' ? inspect(Object.entries(v as object), { depth: Infinity }) : null,
  'own property descriptors': (v) => (v !== null && typeof v === 'object') || typeof v === 'function'
    ? inspect(Reflect.ownKeys(v as object).map((k) => Object.getOwnPropertyDescriptor(v as object, k)), { depth: Infinity, showHidden: true }) : null,
  structuredClone: (v) => { try { return inspect(structuredClone(v), { depth: Infinity, showHidden: true }) } catch { return null } },
}

it('no exported object prints a secret, pepper or private key, however it is printed', async () => {
  const es = await es512KeyMaterial()
  const privateJwk = await crypto.subtle.exportKey('jwk', es.privateKey)
  const privatePkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', es.privateKey))
  const privatePem = `-----BEGIN PRIVATE KEY-----\n${btoa(String.fromCharCode(...privatePkcs8))}\n-----END PRIVATE KEY-----`
  const { JwtAlgorithm, JwtConfig, JwtConfigFromPasswords, ServerSideSessionsConfig, ServerSideSessionsConfigFromPasswords } = rootEntry
  const pool = new pg.Pool({ connectionString: `postgres://postgres:${databasePassword}@127.0.0.1:5432/test` })
  const store = drizzleEntry.drizzleTokenStore(drizzle(pool))

  const hs512 = JwtAlgorithm.hmacSha512(secrets.hmac)
  const es512 = JwtAlgorithm.ecdsaSha512({ privateKey: privatePem, publicKey: es.pem })
  const es512Jwk = JwtAlgorithm.ecdsaSha512({ privateKey: privateJwk, publicKey: es.jwk })
  const jwtConfig = new JwtConfig({
    algorithm: hs512, refreshTokenHashPepper: secrets.refreshPepper, fallbackRefreshTokenHashPeppers: [secrets.oldRefreshPepper],
    fallbackVerificationAlgorithms: [JwtAlgorithm.hmacSha512(secrets.oldHmac), es512Jwk],
  })
  const sessionsConfig = new ServerSideSessionsConfig({ sessionKeyHashPepper: secrets.sessionPepper, fallbackSessionKeyHashPeppers: [secrets.oldSessionPepper] })
  const passwords = { jwtHmacSha512PrivateKey: secrets.hmac, jwtRefreshTokenHashPepper: secrets.refreshPepper, serverSideSessionKeyHashPepper: secrets.sessionPepper }
  const auth = rootEntry.initializeAuthServices({ store, tokenManagerBuilders: [jwtConfig, sessionsConfig, new JwtConfig({ algorithm: es512, refreshTokenHashPepper: secrets.oldRefreshPepper })] })
  await auth.ready
  const authSource = () => auth

  // Each export → the objects it yields. Error classes are handled below; plain data and pure functions
  // that hold nothing are listed as such.
  const built: Record<string, () => unknown[]> = {
    JwtAlgorithm: () => [hs512, es512, es512Jwk],
    JwtConfig: () => [jwtConfig],
    JwtConfigFromPasswords: () => [new JwtConfigFromPasswords(passwords)],
    ServerSideSessionsConfig: () => [sessionsConfig],
    ServerSideSessionsConfigFromPasswords: () => [new ServerSideSessionsConfigFromPasswords(passwords)],
    initializeAuthServices: () => [auth],
    MultiTokenManager: () => [auth.tokenManager],
    JwtTokenManager: () => [auth.getTokenManager(rootEntry.JwtTokenManager)],
    ServerSideSessionsTokenManager: () => [auth.getTokenManager(rootEntry.ServerSideSessionsTokenManager)],
    drizzleTokenStore: () => [store],
    authenticate: () => [honoEntry.authenticate({ auth }), honoEntry.authenticate({ auth: authSource, cookie: 'session', optional: true })],
    authRoutes: () => [honoEntry.authRoutes(auth), honoEntry.authRoutes(authSource, { cookie: 'session' })],
    requireScopes: () => [honoEntry.requireScopes('admin')],
    cachePerEnv: () => [honoEntry.cachePerEnv(() => auth)],
    createAuthClient: () => [clientEntry.createAuthClient({ baseUrl: 'https://app.example', storage: clientEntry.memoryStorage() })],
    memoryStorage: () => [clientEntry.memoryStorage()],
    localStorageStorage: () => [],
    webLocks: () => [clientEntry.webLocks()],
    noLock: () => [clientEntry.noLock],
  }
  const holdNothing = new Set([
    'errorCodes', 'authRefreshToken', 'authSession', 'guard',
  ])
  const entries = { root: rootEntry, drizzle: drizzleEntry, hono: honoEntry, client: clientEntry }

  const objects: { label: string; value: unknown }[] = []
  const unknown: string[] = []
  for (const [entry, module] of Object.entries(entries)) {
    for (const [name, value] of Object.entries(module)) {
      if (typeof value === 'function' && value.prototype instanceof Error) {
        objects.push({ label: `${entry}.${name}`, value: new (value as new (a: string, b: string) => Error)('x', 'y') })
      } else if (built[name]) {
        for (const object of built[name]()) objects.push({ label: `${entry}.${name}`, value: object })
      } else if (!holdNothing.has(name)) unknown.push(`${entry}.${name}`)
    }
  }
  expect(unknown, 'exports this walk does not know how to build').toEqual([])
  expect(objects.length).toBeGreaterThan(30)

  const needles = new Map<string, string>()
  for (const [name, secret] of Object.entries(secrets)) for (const s of spellings(secret)) needles.set(s, name)
  for (const s of spellings(privatePkcs8)) needles.set(s, 'ES512 private key (PKCS#8)')
  for (const s of spellings(privateJwk.d!)) needles.set(s, 'ES512 private key (JWK d)')

  const leaks: string[] = []
  for (const { label, value } of objects) {
    for (const [printer, print] of Object.entries(printers)) {
      const text = print(value)
      if (text === null) continue
      for (const [needle, name] of needles) if (text.includes(needle)) leaks.push(`${label} via ${printer}: ${name}`)
      // The database URL sits inside the driver: a plain log of the services must not reach it.
      if (printer !== 'util.inspect everything' && printer !== 'own property descriptors' && text.includes(databasePassword)) {
        leaks.push(`${label} via ${printer}: database password`)
      }
    }
  }
  expect([...new Set(leaks)]).toEqual([])
  await pool.end()
})
