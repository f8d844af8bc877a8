// Both sides on one database: tokens issued, rotated, validated and revoked by serverpodStore here and by
// the reference port of Serverpod 3.4 (reference.ts), on the local PostgreSQL server through node-postgres
// and through Neon's HTTP protocol. Serverpod's tables come from its own migration.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  initializeAuthServices, JwtAlgorithm, JwtConfig, JwtTokenManager, ServerSideSessionsConfig, ServerSideSessionsTokenManager,
  type JwtConfigOptions,
} from '../../src/index.ts'
import { serverpodStore } from '../../src/serverpod/index.ts'
import { authRoutes, authenticate, tokenCookies } from '../../src/hono/index.ts'
import { Hono } from 'hono'
import { openDatabase, type OpenDatabase } from '../support/drivers.ts'
import { ServerpodReference } from './reference.ts'

const secrets = {
  jwtHmacSha512PrivateKey: 'interop-hmac-sha512-key-0123456789abcdef0123456789abcdef0123456789',
  refreshTokenHashPepper: 'interop-refresh-pepper',
  sessionKeyHashPepper: 'interop-session-pepper',
}

describe.each(['node-postgres', 'neon-http'] as const)('serverpodStore against Serverpod 3.4 on %s', (driver) => {
  let database: OpenDatabase
  let ref: ServerpodReference
  beforeAll(async () => {
    database = await openDatabase(driver, { serverpod: true })
    ref = new ServerpodReference(database.query, { ...secrets, lanes: 2 })
  })
  afterAll(async () => database?.close())

  function auth(jwt: Partial<JwtConfigOptions> = {}) {
    const services = initializeAuthServices({
      store: serverpodStore(database.db),
      tokenManagerBuilders: [
        new JwtConfig({ algorithm: JwtAlgorithm.hmacSha512(secrets.jwtHmacSha512PrivateKey), refreshTokenHashPepper: secrets.refreshTokenHashPepper, ...jwt }),
        new ServerSideSessionsConfig({ sessionKeyHashPepper: secrets.sessionKeyHashPepper }),
      ],
    })
    return { services, jwt: services.getTokenManager(JwtTokenManager), sessions: services.getTokenManager(ServerSideSessionsTokenManager) }
  }
  const refreshRow = async (id: string) => (await database.query('select * from serverpod_auth_core_jwt_refresh_token where id = $1', [id]))[0]

  it('a Serverpod session validates here, and one issued here validates under Serverpod', async () => {
    const { services, sessions } = auth()
    const user = await ref.createUser({ scopes: ['admin'] })
    const theirs = await ref.createSession(user, 'email')
    expect(await services.tokenManager.validateToken(theirs.token)).toMatchObject({ userIdentifier: user, scopes: ['admin'], authId: theirs.sessionId })
    const ours = await sessions.issueToken({ authUserId: user, method: 'email' })
    expect(ours.token.startsWith('c2Fz')).toBe(true)
    expect(await ref.validateSession(ours.token)).toEqual({ authUserId: user, scopes: ['admin'], authId: ours.tokenId })
    const [row] = await database.query('select "sessionKeyHash", "sessionKeySalt" from serverpod_auth_core_session where id = $1', [ours.tokenId])
    expect([(row!.sessionKeyHash as Buffer).length, (row!.sessionKeyHash as Buffer)[0], (row!.sessionKeySalt as Buffer).length]).toEqual([65, 1, 16])
  })

  it('access tokens cross both ways, with UUID subjects and no expiry leeway', async () => {
    const { services, jwt } = auth()
    const user = await ref.createUser()
    const ours = await jwt.issueToken({ authUserId: user, method: 'email', scopes: ['a'] })
    expect(await ref.verifyJwt(ours.token)).toEqual({ authUserId: user, refreshTokenId: ours.tokenId, scopes: ['a'] })
    const theirs = await ref.createTokens(user, 'email')
    expect(await services.tokenManager.validateToken(theirs.token)).toMatchObject({ userIdentifier: user, authId: theirs.refreshTokenId })
    // A token 1 s past its exp: Serverpod refuses it, and so does this mode by default (the default mode allows 5 s).
    let now = Date.now()
    const clocked = initializeAuthServices({ store: serverpodStore(database.db), clock: () => new Date(now), tokenManagerBuilders: [
      new JwtConfig({ algorithm: JwtAlgorithm.hmacSha512(secrets.jwtHmacSha512PrivateKey), refreshTokenHashPepper: secrets.refreshTokenHashPepper }),
    ] })
    const issued = await clocked.tokenManager.issueToken({ authUserId: user, method: 'email' })
    now = issued.tokenExpiresAt!.getTime() + 1_000
    expect(await clocked.tokenManager.validateToken(issued.token)).toBeNull()
  })

  it('a Serverpod refresh token refreshes here, the rotated one refreshes under Serverpod, and stale ones are dead on both', async () => {
    const { jwt } = auth()
    const user = await ref.createUser()
    const a0 = await ref.createTokens(user, 'email')
    const a1 = await jwt.refreshAccessToken(a0.refreshToken)
    expect(a1.refreshToken).toMatch(/^sajrt:[A-Za-z0-9+/]{22}==:[A-Za-z0-9+/]{22}==:[A-Za-z0-9+/]{86}==$/)
    expect((await refreshRow(a0.refreshTokenId))!.rotatingSecretHash).toMatch(/^\$argon2id\$v=19\$m=4096,t=3,p=\d+\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/)
    const a2 = await ref.refreshAccessToken(a1.refreshToken!)
    const a3 = await jwt.refreshAccessToken(a2.refreshToken)
    // Serverpod, shown a rotated secret, deletes the row: the newest token dies with it.
    await expect(ref.refreshAccessToken(a2.refreshToken)).rejects.toThrow('RefreshTokenInvalidSecret')
    await expect(jwt.refreshAccessToken(a3.refreshToken!)).rejects.toMatchObject({ code: 'ERR_REFRESH_TOKEN_NOT_FOUND' })

    // And here: a secret Serverpod already rotated away is reuse, the family ends for Serverpod too.
    const b0 = await ref.createTokens(user, 'email')
    const b1 = await ref.refreshAccessToken(b0.refreshToken)
    await expect(jwt.refreshAccessToken(b0.refreshToken)).rejects.toMatchObject({ code: 'ERR_REFRESH_TOKEN_REUSED' })
    await expect(ref.refreshAccessToken(b1.refreshToken)).rejects.toThrow('RefreshTokenNotFound')
  })

  it('a token issued here refreshes under Serverpod; a retry here inside the grace window gets the same pair, outside it is reuse', async () => {
    const { jwt } = auth()
    const strict = auth({ refreshTokenRotationGracePeriod: 0 }).jwt
    const user = await ref.createUser()
    const c0 = await jwt.issueToken({ authUserId: user, method: 'email' })
    const row = await refreshRow(c0.tokenId)
    expect([(row!.fixedSecret as Buffer).length, row!.authUserId, row!.extraClaims]).toEqual([16, user, null])
    const c1 = await ref.refreshAccessToken(c0.refreshToken!)
    const c2 = await jwt.refreshAccessToken(c1.refreshToken)
    expect((await jwt.refreshAccessToken(c1.refreshToken)).refreshToken).toBe(c2.refreshToken)
    await expect(strict.refreshAccessToken(c1.refreshToken)).rejects.toMatchObject({ code: 'ERR_REFRESH_TOKEN_REUSED' })
    await expect(ref.refreshAccessToken(c2.refreshToken!)).rejects.toThrow('RefreshTokenNotFound')
  })

  it('racing refreshes of one token leave exactly one successor, which Serverpod accepts', async () => {
    const { jwt } = auth()
    const user = await ref.createUser()
    const issued = await ref.createTokens(user, 'email')
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => jwt.refreshAccessToken(issued.refreshToken)))
    const successors = new Set(results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.refreshToken] : [])))
    expect(successors.size).toBe(1)
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true)
    const [successor] = successors
    await ref.refreshAccessToken(successor!)
  })

  it('revocation by token, by user and by method on either side is seen by the other at once', async () => {
    const { services, jwt, sessions } = auth()
    const user = await ref.createUser()
    const other = await ref.createUser()
    const [t1, t2, t3] = [await ref.createTokens(user, 'email'), await jwt.issueToken({ authUserId: user, method: 'google' }), await ref.createTokens(other, 'email')]
    await services.tokenManager.revokeToken({ tokenId: t1.refreshTokenId })
    await expect(ref.refreshAccessToken(t1.refreshToken)).rejects.toThrow('RefreshTokenNotFound')
    await ref.revoke('jwt_refresh_token', { authUserId: user, method: 'google' })
    await expect(jwt.refreshAccessToken(t2.refreshToken!)).rejects.toMatchObject({ code: 'ERR_REFRESH_TOKEN_NOT_FOUND' })
    await ref.refreshAccessToken(t3.refreshToken) // the other user's token is untouched

    const [s1, s2, s3] = [await sessions.issueToken({ authUserId: user, method: 'email' }), await ref.createSession(user, 'google'), await ref.createSession(user, 'email')]
    await ref.revoke('session', { id: s1.tokenId })
    expect(await services.tokenManager.validateToken(s1.token)).toBeNull()
    await services.tokenManager.revokeAllTokens({ authUserId: user, method: 'google' })
    expect(await ref.validateSession(s2.token)).toBeNull()
    expect(await ref.validateSession(s3.token)).not.toBeNull()
    await services.tokenManager.revokeAllTokens({ authUserId: user })
    expect(await ref.validateSession(s3.token)).toBeNull()
    expect(await services.tokenManager.listTokens({ authUserId: user })).toEqual([])
  })

  it('a blocked user gets no tokens and no refresh (the row stays), a deleted user loses every token', async () => {
    const { services, jwt, sessions } = auth()
    const user = await ref.createUser()
    const issued = await jwt.issueToken({ authUserId: user, method: 'email' })
    const session = await ref.createSession(user, 'email')
    await ref.setBlocked(user, true)
    await expect(jwt.issueToken({ authUserId: user, method: 'email' })).rejects.toMatchObject({ code: 'ERR_AUTH_USER_BLOCKED' })
    await expect(sessions.issueToken({ authUserId: user, method: 'email' })).rejects.toMatchObject({ code: 'ERR_AUTH_USER_BLOCKED' })
    await expect(jwt.refreshAccessToken(issued.refreshToken!)).rejects.toMatchObject({ code: 'ERR_AUTH_USER_BLOCKED' })
    await ref.setBlocked(user, false)
    const refreshed = await jwt.refreshAccessToken(issued.refreshToken!)

    await ref.deleteUser(user)
    await expect(jwt.refreshAccessToken(refreshed.refreshToken!)).rejects.toMatchObject({ code: 'ERR_REFRESH_TOKEN_NOT_FOUND' })
    expect(await services.tokenManager.validateToken(session.token)).toBeNull()
    await expect(jwt.issueToken({ authUserId: user, method: 'email' })).rejects.toMatchObject({ code: 'ERR_AUTH_USER_NOT_FOUND' })
  })

  it('a legacy (saltless) Serverpod session hash validates and is upgraded in place, as Serverpod does', async () => {
    const { services } = auth()
    const user = await ref.createUser()
    const legacy = await ref.createSession(user, 'email', { legacyHash: true })
    const before = (await database.query('select "sessionKeyHash" from serverpod_auth_core_session where id = $1', [legacy.sessionId]))[0]!
    expect((before.sessionKeyHash as Buffer).length).toBe(64)
    expect(await services.tokenManager.validateToken(legacy.token)).toMatchObject({ userIdentifier: user })
    const after = (await database.query('select "sessionKeyHash" from serverpod_auth_core_session where id = $1', [legacy.sessionId]))[0]!
    expect([(after.sessionKeyHash as Buffer).length, (after.sessionKeyHash as Buffer)[0]]).toEqual([65, 1])
    expect(await ref.validateSession(legacy.token)).toMatchObject({ authUserId: user })
  })

  it("times are UTC wall times, as Serverpod writes them; expired rows are deleted by Serverpod's rules", async () => {
    const { services, jwt, sessions } = auth()
    const user = await ref.createUser()
    const expiresAt = new Date(Date.now() + 3_600_000)
    const session = await sessions.issueToken({ authUserId: user, method: 'email', expiresAt })
    const [row] = await database.query('select extract(epoch from "expiresAt") * 1000 as ms, extract(epoch from "createdAt") as created from serverpod_auth_core_session where id = $1', [session.tokenId])
    expect(Number(row!.ms)).toBe(expiresAt.getTime())
    expect(Math.abs(Number(row!.created) - Date.now() / 1000)).toBeLessThan(60)
    const old = await ref.createTokens(user, 'email')
    await database.query(`update serverpod_auth_core_jwt_refresh_token set "lastUpdatedAt" = "lastUpdatedAt" - interval '15 days' where id = $1`, [old.refreshTokenId])
    await database.query(`update serverpod_auth_core_session set "expiresAt" = now() at time zone 'UTC' - interval '1 second' where id = $1`, [session.tokenId])
    const fresh = await jwt.issueToken({ authUserId: user, method: 'email' })
    expect(await services.tokenManager.listTokens({ authUserId: user })).toEqual([expect.objectContaining({ tokenId: fresh.tokenId })])
    expect(await jwt.deleteExpiredTokens()).toBeGreaterThanOrEqual(1)
    expect(await sessions.deleteExpiredTokens()).toBeGreaterThanOrEqual(1)
    expect(await refreshRow(old.refreshTokenId)).toBeUndefined()
    expect(await refreshRow(fresh.tokenId)).toBeDefined()
  })

  it('lists at most 100 refresh tokens by default (Serverpod\'s listJwtTokens), ordered by id; listLimit changes it', async () => {
    const user = await ref.createUser()
    await ref.createTokens(user, 'email')
    await database.query(`insert into serverpod_auth_core_jwt_refresh_token ("authUserId", "scopeNames", method, "fixedSecret", "rotatingSecretHash", "lastUpdatedAt", "createdAt")
      select "authUserId", "scopeNames", method, "fixedSecret", "rotatingSecretHash", "lastUpdatedAt", "createdAt" from serverpod_auth_core_jwt_refresh_token, generate_series(1, 100)
      where "authUserId" = $1`, [user])
    const listed = await auth().jwt.listTokens({ authUserId: user })
    expect(listed.length).toBe(100)
    expect(listed.map((t) => t.tokenId)).toEqual(listed.map((t) => t.tokenId).sort())
    const limited = initializeAuthServices({ store: serverpodStore(database.db, { listLimit: 3 }), tokenManagerBuilders: [new ServerSideSessionsConfig({ sessionKeyHashPepper: secrets.sessionKeyHashPepper })] })
    for (let i = 0; i < 4; i++) await ref.createSession(user, 'email')
    expect((await limited.tokenManager.listTokens({ authUserId: user })).length).toBe(3)
    expect((await auth().sessions.listTokens({ authUserId: user })).length).toBe(4)
  })

  it('user ids must be UUIDs: a clear ERR_INVALID_ARGUMENT, never a database error', async () => {
    const { services } = auth()
    await expect(services.tokenManager.issueToken({ authUserId: 'ada', method: 'email' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' })
    await expect(services.tokenManager.revokeAllTokens({ authUserId: 'ada' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' })
    const user = await ref.createUser()
    const upper = await services.tokenManager.issueToken({ authUserId: user.toUpperCase(), method: 'email' })
    expect((await refreshRow(upper.tokenId))!.authUserId).toBe(user)
  })
  it('cookie mode carries Serverpod tokens: its refresh token rotates from the cookie, its session token authenticates', async () => {
    const { services } = auth()
    const cookies = tokenCookies()
    const app = new Hono()
    app.route('/auth', authRoutes(services, { cookies }))
    app.get('/me', authenticate({ auth: services, cookies }), (c) => c.json({ user: c.var.auth.userIdentifier }))
    const user = await ref.createUser()
    const theirs = await ref.createTokens(user, 'email')
    expect(theirs.refreshToken).toMatch(/[+/=:]/) // standard base64 and colons: still a valid cookie value
    const refreshed = await app.request('/auth/refresh', { method: 'POST', headers: { Cookie: `${cookies.refresh}=${theirs.refreshToken}` } })
    expect(refreshed.status).toBe(200)
    expect(await refreshed.json()).toMatchObject({ authStrategy: 'jwt', refreshToken: null, authUserId: user, tokenId: theirs.refreshTokenId })
    // Hono's serializer percent-encodes the value; browsers send it back as is and the reader decodes it.
    const cookieValue = (response: Response) => {
      const line = response.headers.getSetCookie().find((l) => l.startsWith(`${cookies.refresh}=sajrt%3A`))!
      return line.slice(line.indexOf('=') + 1, line.indexOf(';'))
    }
    const again = await app.request('/auth/refresh', { method: 'POST', headers: { Cookie: `${cookies.refresh}=${cookieValue(refreshed)}` } })
    expect(again.status).toBe(200) // the encoded value, as the browser sends it back, rotates again
    const underServerpod = await ref.refreshAccessToken(decodeURIComponent(cookieValue(again))) // valid under Serverpod too
    expect(await ref.verifyJwt(underServerpod.token)).toMatchObject({ authUserId: user, refreshTokenId: theirs.refreshTokenId })
    const session = await ref.createSession(user, 'email')
    const me = await app.request('/me', { headers: { Cookie: `${cookies.session}=${session.token}` } })
    expect(await me.json()).toEqual({ user })
  })
})
