// serverpodStore on the runtime under test: Serverpod 3.4's tables (created by its own migration in each
// runner), its token strings and hashes. Argon2id runs here in pure JS, so most cases write cheap hashes
// (parameters live in each PHC string); one case uses Serverpod's own cost. Cross-checks against a port of
// Serverpod's Dart code are in test/serverpod (Node, real Postgres and neon-http).
import { argon2id } from '@noble/hashes/argon2.js'
import { sql } from 'drizzle-orm'
import { initializeAuthServices, JwtTokenManager, ServerSideSessionsTokenManager, type TokenManagerBuilder } from 'edge-token-managers'
import { serverpodStore, type ServerpodStoreOptions } from 'edge-token-managers/serverpod'
import { assert, deepEqual, equal, match, rejects, suite } from './harness.ts'
import { hs512Config, minutes, secrets, sessionsConfig, testClock, type ConformanceContext, type TestClock } from './support.ts'

const cheap: ServerpodStoreOptions = { argon2: { memory: 64, iterations: 1, lanes: 1 } }

function serverpodAuth(ctx: ConformanceContext, builders: TokenManagerBuilder[], options: { store?: ServerpodStoreOptions; clock?: TestClock } = {}) {
  const auth = initializeAuthServices({ store: serverpodStore(ctx.db, options.store ?? cheap), tokenManagerBuilders: builders, ...(options.clock && { clock: options.clock }) })
  return { auth, jwt: () => auth.getTokenManager(JwtTokenManager), sessions: () => auth.getTokenManager(ServerSideSessionsTokenManager) }
}

type Rows = Record<string, unknown>[] | { rows: Record<string, unknown>[] }
const rows = async (query: PromiseLike<unknown>) => {
  const result = (await query) as Rows
  return Array.isArray(result) ? result : result.rows
}

/** A row in Serverpod's user table, as Serverpod's AuthUsers would create it. */
async function serverpodUser(ctx: ConformanceContext, options: { scopes?: string[]; blocked?: boolean } = {}): Promise<string> {
  const id = crypto.randomUUID()
  await ctx.db.execute(sql`insert into serverpod_auth_core_user (id, "createdAt", "scopeNames", blocked)
    values (${id}, now() at time zone 'UTC', ${JSON.stringify(options.scopes ?? [])}::json, ${options.blocked ?? false})`)
  return id
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
const fromHex = (text: string) => Uint8Array.from(text.match(/../g) ?? [], (h) => parseInt(h, 16))

export const serverpodTests = suite<ConformanceContext>('serverpod', (test) => {
  test('Argon2id matches the RFC 9106 test vector (with secret and associated data)', () => {
    // RFC 9106 §5.3: password 32 × 0x01, salt 16 × 0x02, secret 8 × 0x03, associated data 12 × 0x04, t=3, m=32, p=4.
    const tag = argon2id(new Uint8Array(32).fill(1), new Uint8Array(16).fill(2), {
      t: 3, m: 32, p: 4, dkLen: 32, key: new Uint8Array(8).fill(3), personalization: new Uint8Array(12).fill(4),
    })
    equal(hex(tag), '0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659')
  })

  test("issues and refreshes sajrt: tokens with Serverpod's Argon2id cost; the old secret is spent, a retry in the window gets the same pair", async (ctx) => {
    const { auth, jwt } = serverpodAuth(ctx, [hs512Config()], { store: { argon2: { lanes: 1 } } })
    const user = await serverpodUser(ctx, { scopes: ['admin'] })
    const issued = await auth.tokenManager.issueToken({ authUserId: user, method: 'email' })
    deepEqual(issued.scopeNames, ['admin'], "the user's scopes by default")
    match(issued.refreshToken!, /^sajrt:[A-Za-z0-9+/]{22}==:[A-Za-z0-9+/]{22}==:[A-Za-z0-9+/]{86}==$/)
    const [row] = await rows(ctx.db.execute(sql`select "rotatingSecretHash" as h, length("fixedSecret") as n from serverpod_auth_core_jwt_refresh_token where id = ${issued.tokenId}`))
    match(String(row!.h), /^\$argon2id\$v=19\$m=4096,t=3,p=1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/)
    equal(Number(row!.n), 16, 'the fixed secret is stored raw')
    const next = await jwt().refreshAccessToken(issued.refreshToken!)
    equal((await jwt().refreshAccessToken(issued.refreshToken!)).refreshToken, next.refreshToken, 'grace retry')
    deepEqual(await auth.tokenManager.validateToken(next.token), { userIdentifier: user, scopes: ['admin'], authId: issued.tokenId, tokenIssuer: 'jwt' })
  })

  test('racing refreshes end in one successor; after the window (or in strict mode) an old secret revokes the family', async (ctx) => {
    const { jwt } = serverpodAuth(ctx, [hs512Config({ refreshTokenRotationGracePeriod: 0 })])
    const { jwt: graceful } = serverpodAuth(ctx, [hs512Config()])
    const user = await serverpodUser(ctx)
    const issued = await graceful().issueToken({ authUserId: user, method: 'email' })
    const raced = await Promise.all([1, 2, 3].map(() => graceful().refreshAccessToken(issued.refreshToken!)))
    equal(new Set(raced.map((r) => r.refreshToken)).size, 1, 'one successor')
    await rejects(jwt().refreshAccessToken(issued.refreshToken!), { code: 'ERR_REFRESH_TOKEN_REUSED' })
    await rejects(graceful().refreshAccessToken(raced[0]!.refreshToken!), { code: 'ERR_REFRESH_TOKEN_NOT_FOUND' }, 'the family is gone')
  })

  test("sessions: a sas token whose row holds 0x01 ‖ SHA-512(secret ‖ salt ‖ pepper) and the salt; revocation by id and user", async (ctx) => {
    const { auth, sessions } = serverpodAuth(ctx, [sessionsConfig()])
    const user = await serverpodUser(ctx, { scopes: ['s'] })
    const issued = await sessions().issueToken({ authUserId: user, method: 'email' })
    match(issued.token, /^c2Fz[A-Za-z0-9_-]{64}$/)
    const [row] = await rows(ctx.db.execute(sql`select encode("sessionKeyHash", 'hex') as h, encode("sessionKeySalt", 'hex') as s from serverpod_auth_core_session where id = ${issued.tokenId}`))
    const bytes = Uint8Array.from(atob(issued.token.replaceAll('-', '+').replaceAll('_', '/')), (c) => c.charCodeAt(0))
    const input = new Uint8Array([...bytes.subarray(19), ...fromHex(String(row!.s)), ...new TextEncoder().encode(secrets.sessionPepper)])
    equal(String(row!.h), `01${hex(new Uint8Array(await crypto.subtle.digest('SHA-512', input)))}`)
    deepEqual(await auth.tokenManager.validateToken(issued.token), { userIdentifier: user, scopes: ['s'], authId: issued.tokenId, tokenIssuer: 'session' })
    await auth.tokenManager.revokeToken({ tokenId: issued.tokenId.toUpperCase() })
    equal(await auth.tokenManager.validateToken(issued.token), null, 'revoked by id (any case)')
    const second = await sessions().issueToken({ authUserId: user, method: 'email' })
    await auth.tokenManager.revokeAllTokens({ authUserId: user })
    equal(await auth.tokenManager.validateToken(second.token), null, 'revoked by user')
  })

  test("users come from Serverpod's table: UUID ids only, blocked users refused, deleting the user ends every token", async (ctx) => {
    const { auth, jwt } = serverpodAuth(ctx, [hs512Config(), sessionsConfig()])
    await rejects(auth.tokenManager.issueToken({ authUserId: 'ada', method: 'email' }), { code: 'ERR_INVALID_ARGUMENT' })
    await rejects(auth.tokenManager.issueToken({ authUserId: crypto.randomUUID(), method: 'email' }), { code: 'ERR_AUTH_USER_NOT_FOUND' })
    const blocked = await serverpodUser(ctx, { blocked: true })
    await rejects(auth.tokenManager.issueToken({ authUserId: blocked, method: 'email' }), { code: 'ERR_AUTH_USER_BLOCKED' })
    const user = await serverpodUser(ctx)
    const refresh = await auth.tokenManager.issueToken({ authUserId: user, method: 'email' })
    const session = await auth.getTokenManager(ServerSideSessionsTokenManager).issueToken({ authUserId: user, method: 'email' })
    equal((await auth.tokenManager.listTokens({ authUserId: user })).length, 2)
    await ctx.db.execute(sql`delete from serverpod_auth_core_user where id = ${user}`)
    await rejects(jwt().refreshAccessToken(refresh.refreshToken!), { code: 'ERR_REFRESH_TOKEN_NOT_FOUND' })
    equal(await auth.tokenManager.validateToken(session.token), null)
  })

  test("access tokens get Serverpod's leeway (none) unless clockTolerance is set", async (ctx) => {
    const clock = testClock()
    const user = await serverpodUser(ctx)
    const strict = serverpodAuth(ctx, [hs512Config()], { clock })
    const lenient = serverpodAuth(ctx, [hs512Config({ clockTolerance: '5s' })], { clock })
    const { token } = await strict.auth.tokenManager.issueToken({ authUserId: user, method: 'email' })
    clock.advance(minutes(10) + 1_000)
    equal(await strict.auth.tokenManager.validateToken(token), null, 'no leeway by default')
    assert(await lenient.auth.tokenManager.validateToken(token), 'the configured leeway applies')
  })
})
