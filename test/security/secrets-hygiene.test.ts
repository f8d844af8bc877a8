// No token, secret, pepper or hash ever shows up in what a deployment writes down: console output, or
// any error's message, stack, cause chain or inspected properties (what `console.error(err)` prints).
// A battery of operations runs — successes, every refresh error, config errors, a constraint violated by
// the token row itself, a database cut off, Hono error responses — while the console is captured and
// every error is logged the way an app would; then every known secret is searched for in every encoding.
import { inspect } from 'node:util'
import { Hono } from 'hono'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { JwtAlgorithm, JwtConfig, JwtConfigFromPasswords, JwtTokenManager, ServerSideSessionsConfigFromPasswords, ServerSideSessionsTokenManager, type AuthSuccess } from '../../src/index.ts'
import { decodeBase64Url } from '../../src/crypto/index.ts'
import { authenticate, authRoutes } from '../../src/hono/index.ts'
import { createAuth, secrets, testClock } from '../support/auth.ts'
import { openFaultyDatabase, type FaultyDatabase } from '../support/faulty-database.ts'
import { createFigures } from '../support/figures.ts'
import { es512KeyMaterial } from '../support/forge.ts'
import { base64, spellings } from '../support/spellings.ts'

const figures = createFigures('secrets-hygiene')
let database: FaultyDatabase
beforeAll(async () => {
  database = await openFaultyDatabase('node-postgres')
  // An app's own rule on the token table: a violation makes Postgres quote the whole failing row.
  await database.query(`alter table auth_refresh_token add constraint app_no_banned_method check (method <> 'banned')`)
  await database.query(`alter table auth_session add constraint app_no_banned_method check (method <> 'banned')`)
})
afterAll(async () => {
  figures.write()
  await database?.close()
})

it('no token, secret, pepper or hash appears in console output or in any error', async () => {
  const written: string[] = []
  const record = (...args: unknown[]) => void written.push(args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 10 }))).join(' '))
  const spies = (['log', 'info', 'warn', 'error', 'debug', 'trace'] as const).map((m) => vi.spyOn(console, m).mockImplementation(record))
  const errors: unknown[] = []
  // What an app does with a failure: keep it, and log it.
  const attempt = async (operation: () => unknown) => {
    try {
      return await operation()
    } catch (error) {
      errors.push(error)
      console.error('operation failed:', error)
      return undefined
    }
  }

  const clock = testClock()
  const issued: AuthSuccess[] = []
  const { auth } = createAuth(database.db, 'multi', { clock })
  const sessionsAuth = createAuth(database.db, 'session', { clock }).auth
  const jwt = auth.getTokenManager(JwtTokenManager)
  const sessions = sessionsAuth.getTokenManager(ServerSideSessionsTokenManager)
  const es = await es512KeyMaterial()
  const app = new Hono()
  app.get('/me', authenticate({ auth }), (c) => c.json(c.var.auth))
  app.route('/auth', authRoutes(auth))

  // Successes.
  const pair = (await attempt(() => auth.tokenManager.issueToken({ authUserId: 'hygiene', method: 'email', scopes: ['a'] }))) as AuthSuccess
  const session = (await attempt(() => sessionsAuth.tokenManager.issueToken({ authUserId: 'hygiene', method: 'email' }))) as AuthSuccess
  issued.push(pair, session)
  const refreshed = (await attempt(() => jwt.refreshAccessToken(pair.refreshToken!))) as AuthSuccess
  issued.push(refreshed)
  await attempt(() => auth.tokenManager.validateToken(refreshed.token))
  await attempt(() => auth.tokenManager.validateToken(session.token))
  await attempt(() => sessions.updateScopes({ tokenId: session.tokenId, scopes: ['b'] }))
  await attempt(() => auth.tokenManager.listTokens({ authUserId: 'hygiene' }))
  const hashesNow = async () => [
    ...(await database.query('select fixed_secret_hash, rotating_secret_hash, previous_rotating_secret_hash from auth_refresh_token')),
    ...(await database.query('select secret_hash from auth_session')),
  ].flatMap((row) => Object.values(row).filter((v): v is Uint8Array => v instanceof Uint8Array))
  const hashes = await hashesNow()

  // Every refresh error: malformed, unknown, wrong secret, reuse after the grace window, expired.
  const second = (await attempt(() => jwt.issueToken({ authUserId: 'hygiene', method: 'email' }))) as AuthSuccess
  issued.push(second)
  hashes.push(...(await hashesNow()))
  await attempt(() => jwt.refreshAccessToken(`${second.refreshToken!.slice(0, -2)}AA`))
  await attempt(() => jwt.refreshAccessToken(second.refreshToken!.slice(0, 20)))
  await attempt(() => jwt.refreshAccessToken(`etmrt_${'A'.repeat(86)}`))
  clock.advance(11_000)
  await attempt(() => jwt.refreshAccessToken(pair.refreshToken!)) // reuse: the family dies
  await attempt(() => jwt.refreshAccessToken(refreshed.refreshToken!))
  const old = (await attempt(() => jwt.issueToken({ authUserId: 'hygiene', method: 'email' }))) as AuthSuccess
  issued.push(old)
  hashes.push(...(await hashesNow()))
  clock.advance(15 * 86_400_000)
  await attempt(() => jwt.refreshAccessToken(old.refreshToken!)) // expired
  await attempt(() => auth.tokenManager.validateToken(refreshed.token)) // expired JWT: null

  // Configuration errors name the option, never the value.
  const shortSecrets = ['tinysecret', 'pepper-too-short'.slice(0, 9)]
  await attempt(() => new JwtConfigFromPasswords({ jwtHmacSha512PrivateKey: secrets.hmac }))
  await attempt(() => new ServerSideSessionsConfigFromPasswords({ serverSideSessionKeyHashPepper: '' }))
  await attempt(() => new JwtConfig({ algorithm: JwtAlgorithm.hmacSha512(secrets.hmac), refreshTokenHashPepper: shortSecrets[1]! }))
  await attempt(() => createAuth(database.db, 'jwt', { jwt: { algorithm: JwtAlgorithm.hmacSha512(shortSecrets[0]!) } }).auth.ready)
  const fakePem = `-----BEGIN PRIVATE KEY-----\n${base64(crypto.getRandomValues(new Uint8Array(120)))}\n-----END PRIVATE KEY-----`
  await attempt(() => createAuth(database.db, 'jwt', { jwt: { algorithm: JwtAlgorithm.ecdsaSha512({ privateKey: fakePem, publicKey: es.pem }) } }).auth.ready)
  await attempt(() => createAuth(database.db, 'jwt', { jwt: { extraClaimsProvider: () => ({ sub: secrets.hmac }) } }).auth.tokenManager.issueToken({ authUserId: 'x', method: 'm' }))

  // The token row itself violates the app's constraint: Postgres quotes the row, hashes included.
  await attempt(() => auth.tokenManager.issueToken({ authUserId: 'hygiene', method: 'banned' }))
  await attempt(() => sessionsAuth.tokenManager.issueToken({ authUserId: 'hygiene', method: 'banned' }))

  // The database cut off: validate, refresh, issue, revoke, and Hono's 503.
  const live = (await attempt(() => jwt.issueToken({ authUserId: 'hygiene', method: 'email' }))) as AuthSuccess
  const liveSession = (await attempt(() => sessionsAuth.tokenManager.issueToken({ authUserId: 'hygiene', method: 'email' }))) as AuthSuccess
  issued.push(live, liveSession)
  hashes.push(...(await hashesNow()))
  database.setMode('refuse')
  await attempt(() => auth.tokenManager.validateToken(liveSession.token))
  await attempt(() => jwt.refreshAccessToken(live.refreshToken!))
  await attempt(() => auth.tokenManager.issueToken({ authUserId: 'hygiene', method: 'email' }))
  await attempt(() => auth.tokenManager.revokeToken({ tokenId: live.tokenId }))
  const responses: string[] = []
  for (const [path, init] of [
    ['/me', { headers: { Authorization: `Bearer ${liveSession.token}` } }],
    ['/auth/refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: live.refreshToken }) }],
  ] as const) {
    const res = await app.request(path, init)
    responses.push(`${res.status} ${JSON.stringify(Object.fromEntries(res.headers))} ${await res.text()}`)
  }
  database.setMode('open')
  for (const [path, init] of [
    ['/me', { headers: { Authorization: `Bearer ${live.token.slice(0, -4)}AAAA` } }],
    ['/auth/refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: `${live.refreshToken!.slice(0, -2)}AA` }) }],
  ] as const) {
    const res = await app.request(path, init)
    responses.push(`${res.status} ${JSON.stringify(Object.fromEntries(res.headers))} ${await res.text()}`)
  }
  spies.forEach((spy) => spy.mockRestore())

  // The needles: configured secrets, every token and its secret parts, every stored hash.
  const needles = new Set<string>([...Object.values(secrets), ...shortSecrets, fakePem.split('\n')[1]!.slice(0, 40), es.jwk.x!.slice(0, 24)])
  for (const success of issued.filter(Boolean)) {
    for (const token of [success.token, success.refreshToken].filter((t): t is string => !!t)) {
      needles.add(token)
      const body = decodeBase64Url(token.replace(/^etm[rs]t_/, ''))
      if (body) for (const s of spellings(body.subarray(17))) needles.add(s) // fixed + rotating secret, or session secret
      if (token.split('.').length === 3) needles.add(token.split('.')[2]!) // the JWT's MAC
    }
  }
  for (const hash of hashes) for (const s of spellings(hash)) needles.add(s)

  const texts = [
    ...written,
    ...responses,
    ...errors.flatMap((e) => [String(e), (e as Error).message, (e as Error).stack ?? '', inspect(e, { depth: 10, showHidden: true }), JSON.stringify(e) ?? '']),
  ]
  figures.add('inputsTried', errors.length + responses.length)
  // The battery did exercise failures of each kind, or it would prove little.
  const codes = new Set(errors.map((e) => (e as { code?: string }).code))
  for (const code of ['ERR_REFRESH_TOKEN_MALFORMED', 'ERR_REFRESH_TOKEN_NOT_FOUND', 'ERR_REFRESH_TOKEN_REUSED', 'ERR_REFRESH_TOKEN_EXPIRED', 'ERR_MISSING_PASSWORD', 'ERR_CONFIG', 'ERR_KEY_IMPORT', 'ERR_RESERVED_CLAIM', 'ERR_STORAGE', 'ERR_STORAGE_UNAVAILABLE']) {
    expect(codes, code).toContain(code)
  }
  expect(responses.map((r) => r.slice(0, 3))).toEqual(['503', '503', '401', '400'])
  expect(needles.size).toBeGreaterThan(100)
  const found = [...needles].flatMap((needle) => texts.filter((text) => text.includes(needle)).map((text) => `${needle.slice(0, 12)}… in ${text.slice(0, 200)}`))
  expect(found).toEqual([])
  // Hashes of rows that were never stored (Postgres quotes a rejected row, cut short) are not in the
  // database to compare against: catch them by shape, the bytea text of our hash format (01, 01|02, …).
  expect(texts.filter((text) => /x010[12][0-9a-f]{16}/i.test(text)).map((text) => text.slice(0, 300))).toEqual([])
})
