// JwtConfig({ dpop }) on PGlite and SQLite: a sign-in with a proof is bound to its key (cnf.jkt in the
// access token, dpop_jkt beside the refresh token); a bound refresh token refreshes only with that key's
// proof, a bound access token validates only with it — and with no database read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initializeAuthServices, JwtTokenManager, ServerSideSessionsTokenManager, type DpopSetting } from '../../src/index.ts'
import { jwkThumbprint } from '../../src/crypto/index.ts'
import { decodeJsonPart } from '../../src/crypto/jws-verifier.ts'
import { sqliteTokenStore } from '../../src/sqlite/index.ts'
import { createAuth, jwtConfig, testClock } from '../support/auth.ts'
import { openDatabase, openSqliteDatabase, type OpenDatabase, type OpenSqliteDatabase } from '../support/drivers.ts'
import { dpopKey, proofAt } from '../support/dpop.ts'

const url = 'https://app.example/auth/refresh'
const apiUrl = 'https://app.example/api/me'

let database: OpenDatabase
let sqlite: OpenSqliteDatabase
beforeAll(async () => {
  ;[database, sqlite] = await Promise.all([openDatabase('pglite'), openSqliteDatabase('better-sqlite3')])
})
afterAll(async () => {
  await Promise.all([database?.close(), sqlite?.close()])
})

function setup(setting: DpopSetting | null = 'optional', on: 'pglite' | 'sqlite' = 'pglite') {
  const dpop = setting ?? undefined
  if (on === 'sqlite') {
    const clock = testClock()
    const auth = initializeAuthServices({ store: sqliteTokenStore(sqlite.db), tokenManagerBuilders: [jwtConfig({ dpop })], clock })
    return { auth, clock, jwt: auth.getTokenManager(JwtTokenManager) }
  }
  const { auth, clock } = createAuth(database.db, 'jwt', { jwt: { dpop } })
  return { auth, clock, jwt: auth.getTokenManager(JwtTokenManager) }
}

const claimsOf = (token: string) => decodeJsonPart(token.split('.')[1]!)!
const codeOf = (promise: Promise<unknown>) => promise.then(() => 'accepted', (e: { code?: string }) => e.code ?? String(e))

describe.each(['pglite', 'sqlite'] as const)('DPoP binding on %s', (on) => {
  it('binds a sign-in made with a proof: cnf.jkt in the access token, the key beside the refresh token', async () => {
    const { jwt, clock } = setup('optional', on)
    const key = await dpopKey()
    const jkt = await jwkThumbprint(key.publicJwk)
    const issued = await jwt.issueToken({ authUserId: 'd-bind', method: 'test', dpop: { proof: await proofAt(key, clock, { method: 'POST', url }), method: 'POST', url } })
    expect(claimsOf(issued.token).cnf).toEqual({ jkt })
    expect(issued.dpopJkt).toBe(jkt)
    const rows = on === 'pglite'
      ? await database.query('select dpop_jkt from auth_refresh_token where id = $1', [issued.tokenId])
      : await sqlite.query('select dpop_jkt from auth_refresh_token where id = ?', [issued.tokenId])
    expect(rows).toEqual([{ dpop_jkt: jkt }])

    // Refresh: only with a proof of the same key; the new access token stays bound.
    const refresh = async (signer = key, proof?: string | null) =>
      jwt.refreshAccessToken(issued.refreshToken!, { dpop: { proof: proof === undefined ? await proofAt(signer, clock, { method: 'POST', url }) : proof, method: 'POST', url } })
    expect(await codeOf(refresh(key, null))).toBe('ERR_DPOP_PROOF_MISSING')
    expect(await codeOf(jwt.refreshAccessToken(issued.refreshToken!))).toBe('ERR_DPOP_PROOF_MISSING')
    expect(await codeOf(refresh(await dpopKey()))).toBe('ERR_DPOP_KEY_MISMATCH')
    const next = await refresh()
    expect(claimsOf(next.token).cnf).toEqual({ jkt })
    expect(next.dpopJkt).toBe(jkt)
  })

  it('leaves a sign-in without a proof unbound under optional, refuses it under required', async () => {
    const optional = setup('optional', on)
    const plain = await optional.jwt.issueToken({ authUserId: 'd-plain', method: 'test' })
    expect(claimsOf(plain.token).cnf).toBeUndefined()
    expect(await optional.jwt.validateToken(plain.token)).toMatchObject({ userIdentifier: 'd-plain' })
    expect((await optional.jwt.refreshAccessToken(plain.refreshToken!)).dpopJkt).toBeUndefined()

    const required = setup('required', on)
    expect(await codeOf(required.jwt.issueToken({ authUserId: 'd-req', method: 'test' }))).toBe('ERR_DPOP_PROOF_MISSING')
    expect(await codeOf(required.jwt.refreshAccessToken(plain.refreshToken!))).toBe('ERR_DPOP_PROOF_MISSING')
    // An unbound token from before binding was required validates no more.
    expect(await required.jwt.validateToken(plain.token)).toBe(null)
  })
})

describe('DPoP-bound access tokens', () => {
  it('validate only with an accepted proof of their key (and its ath), on a cache miss and a hit alike', async () => {
    const { jwt, clock, auth } = setup('optional')
    const [key, other] = await Promise.all([dpopKey(), dpopKey()])
    const issued = await jwt.issueToken({ authUserId: 'd-validate', method: 'test', dpop: { proof: await proofAt(key, clock, { method: 'POST', url }), method: 'POST', url } })
    const verifier = jwt.dpopVerifier!
    const proofFor = async (signer = key) =>
      verifier.verify(await proofAt(signer, clock, { method: 'GET', url: apiUrl, accessToken: issued.token }), { method: 'GET', url: apiUrl, accessToken: issued.token })
    for (let round = 0; round < 2; round++) {
      // As a bearer token it is refused: that is the point of binding.
      expect(await jwt.validateToken(issued.token)).toBe(null)
      expect(await auth.tokenManager.validateToken(issued.token)).toBe(null)
      expect(await jwt.validateToken(issued.token, { dpop: await proofFor(other) })).toBe(null)
      // A look-alike of an accepted proof is not one.
      expect(await jwt.validateToken(issued.token, { dpop: { jkt: issued.dpopJkt!, alg: 'ES256', jti: 'x' } })).toBe(null)
      expect(await jwt.validateToken(issued.token, { dpop: await proofFor() })).toMatchObject({ userIdentifier: 'd-validate', dpopJkt: issued.dpopJkt })
    }
    // A proof for another access token fails its ath check before any of that.
    await expect(verifier.verify(await proofAt(key, clock, { method: 'GET', url: apiUrl, accessToken: 'other' }), { method: 'GET', url: apiUrl, accessToken: issued.token }))
      .rejects.toMatchObject({ code: 'ERR_DPOP_PROOF_INVALID', reason: 'ath' })
  })

  it('a manager without dpop never accepts a bound token, and an extra claim cannot forge cnf', async () => {
    const bound = setup('optional')
    const key = await dpopKey()
    const issued = await bound.jwt.issueToken({ authUserId: 'd-closed', method: 'test', dpop: { proof: await proofAt(key, bound.clock, { method: 'POST', url }), method: 'POST', url } })
    const plain = setup(null)
    expect(plain.jwt.dpopVerifier).toBe(null)
    expect(await plain.jwt.validateToken(issued.token)).toBe(null)
    expect(await codeOf(plain.jwt.refreshAccessToken(issued.refreshToken!))).toBe('ERR_DPOP_PROOF_MISSING')
    // Proofs are ignored where DPoP is off: nothing gets bound.
    const ignored = await plain.jwt.issueToken({ authUserId: 'd-closed', method: 'test', dpop: { proof: 'garbage', method: 'POST', url } })
    expect(claimsOf(ignored.token).cnf).toBeUndefined()

    const { auth } = createAuth(database.db, 'jwt', { jwt: { extraClaimsProvider: () => ({ cnf: { jkt: 'mine' } }) } })
    expect(await codeOf(auth.tokenManager.issueToken({ authUserId: 'd-forge', method: 'test' }))).toBe('ERR_RESERVED_CLAIM')
  })

  it('refuses a bad proof at sign-in with its code, and a bad dpop setting at construction', async () => {
    const { jwt, clock } = setup('optional')
    const key = await dpopKey()
    const stale = await proofAt(key, () => new Date(clock().getTime() - 120_000), { method: 'POST', url })
    expect(await codeOf(jwt.issueToken({ authUserId: 'd-bad', method: 'test', dpop: { proof: stale, method: 'POST', url } }))).toBe('ERR_DPOP_PROOF_INVALID')
    const proof = await proofAt(key, clock, { method: 'POST', url })
    expect(await codeOf(jwt.issueToken({ authUserId: 'd-bad', method: 'test', dpop: { proof, method: 'POST', url: 'https://other.example/auth/refresh' } }))).toBe('ERR_DPOP_PROOF_INVALID')
    expect(await codeOf(jwt.issueToken({ authUserId: 'd-bad', method: 'test', dpop: { proof, method: 'POST', url } }))).toBe('accepted')
    expect(await codeOf(jwt.issueToken({ authUserId: 'd-bad', method: 'test', dpop: { proof, method: 'POST', url } }))).toBe('ERR_DPOP_PROOF_REPLAYED')
    expect(() => jwtConfig({ dpop: 'always' as never })).toThrow(/dpop must be/)
  })
})

describe('DPoP-bound sessions (ServerSideSessionsConfig({ dpop }))', () => {
  it.each([false, true])('bind a session issued with a proof; it validates only with an accepted proof of its key (validation cache: %s)', async (cached) => {
    const clock = testClock()
    const { auth } = createAuth(database.db, 'session', { clock, session: { dpop: 'optional', ...(cached && { validationCache: { maxAge: '1m' } }) } })
    const sessions = auth.getTokenManager(ServerSideSessionsTokenManager)
    const [key, other] = await Promise.all([dpopKey(), dpopKey()])
    const issued = await sessions.issueToken({ authUserId: 'd-session', method: 'test', dpop: { proof: await proofAt(key, clock, { method: 'POST', url }), method: 'POST', url } })
    expect(issued.dpopJkt).toBe(await jwkThumbprint(key.publicJwk))
    expect(await database.query('select dpop_jkt from auth_session where id = $1', [issued.tokenId])).toEqual([{ dpop_jkt: issued.dpopJkt }])
    const proofOf = async (signer = key) =>
      sessions.dpopVerifier!.verify(await proofAt(signer, clock, { method: 'GET', url: apiUrl, accessToken: issued.token }), { method: 'GET', url: apiUrl, accessToken: issued.token })
    for (let round = 0; round < 2; round++) {
      expect(await sessions.validateToken(issued.token, { dpop: await proofOf() })).toMatchObject({ userIdentifier: 'd-session', dpopJkt: issued.dpopJkt })
      expect(await sessions.validateToken(issued.token)).toBe(null)
      expect(await sessions.validateToken(issued.token, { dpop: await proofOf(other) })).toBe(null)
    }
    const plain = await sessions.issueToken({ authUserId: 'd-session', method: 'test' })
    expect(await sessions.validateToken(plain.token)).toMatchObject({ userIdentifier: 'd-session' })
  })
})
