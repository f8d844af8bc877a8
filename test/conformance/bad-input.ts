// Hostile and malformed input on the runtime under test: validateToken answers null and never throws,
// refresh errors are typed, unknown ids are no-ops, bad configuration fails at configuration time.
import {
  JwtAlgorithm, JwtConfig, JwtTokenManager, RefreshTokenMalformedError, ServerSideSessionsConfig, ServerSideSessionsTokenManager,
} from 'edge-token-managers'
import { assert, deepEqual, equal, fail, rejects, suite, throws } from './harness.ts'
import {
  base64UrlJson, bytesToBase64Url, createAuth, decodeJwt, hs512Config, newUserId, secrets, sessionsConfig, signHs512, type ConformanceContext,
} from './support.ts'

/** Inputs that are no token of any manager. */
const garbage: unknown[] = [
  '', ' ', 'null', 'Bearer x', 'a.b.c', '..', '...', 'eyJ.eyJ.sig', 'etmrt_', 'etmst_', `etmst_${'A'.repeat(66)}`,
  `etmrt_${'A'.repeat(87)}`, `etmst_${'_'.repeat(66)}`, 'x'.repeat(100_000), `${'a'.repeat(9_000)}.${'b'.repeat(9_000)}.c`,
  '\u0000\u0001', '😀.😀.😀', '\ud800.\udfff.x', `${base64UrlJson({ alg: 'HS512' })}.e30.`,
  null, undefined, 42, {}, [], ['a.b.c'],
]

async function multiAuth(ctx: ConformanceContext) {
  const { auth, clock } = createAuth(ctx, [hs512Config(), sessionsConfig()])
  await auth.ready
  return { auth, clock, jwt: auth.getTokenManager(JwtTokenManager) }
}

async function expectNull(validate: (token: string) => Promise<unknown>, token: unknown, label: string): Promise<void> {
  let result: unknown
  try {
    result = await validate(token as string)
  } catch (error) {
    fail(`${label}: validateToken threw ${(error as Error)?.name}`)
  }
  equal(result, null, label)
}

export const badInputTests = suite<ConformanceContext>('bad input', (test) => {
  test('garbage of every shape validates to null and never throws', async (ctx) => {
    const { auth } = await multiAuth(ctx)
    const validate = (t: string) => auth.tokenManager.validateToken(t)
    for (const [i, token] of garbage.entries()) await expectNull(validate, token, `garbage #${i}`)
  })

  test('well-signed tokens with missing, mistyped or extra claims validate to null', async (ctx) => {
    const { auth } = await multiAuth(ctx)
    const issued = await auth.tokenManager.issueToken({ authUserId: newUserId(), method: 'email' })
    const { header, claims } = decodeJwt(issued.token)
    const variants: Record<string, Record<string, unknown>> = {
      'no sub': { ...claims, sub: undefined },
      'empty sub': { ...claims, sub: '' },
      'exp as string': { ...claims, exp: String(claims.exp) },
      'no exp': { ...claims, exp: undefined },
      'iat in the future': { ...claims, iat: (claims.iat as number) + 3600 },
      'nbf in the future': { ...claims, nbf: (claims.iat as number) + 3600 },
      'audience we never set': { ...claims, aud: 'elsewhere' },
      'unexpected issuer': { ...claims, iss: 'elsewhere' },
      'refresh id not a uuid': { ...claims, 'dev.serverpod.refreshTokenId': 'x' },
      'scopes not strings': { ...claims, 'dev.serverpod.scopeNames': [1] },
    }
    assert(await auth.tokenManager.validateToken(await signHs512(header, claims, secrets.hmac)), 'control')
    for (const [label, forged] of Object.entries(variants)) {
      await expectNull((t) => auth.tokenManager.validateToken(t), await signHs512(header, forged, secrets.hmac), label)
    }
    const headers: Record<string, unknown>[] = [{ alg: 'HS256', typ: 'JWT' }, { alg: 'HS512', crit: ['exp'] }, { alg: 'HS512', typ: 'JWE' }, { alg: 'ES512' }]
    for (const h of headers) await expectNull((t) => auth.tokenManager.validateToken(t), await signHs512(h, claims, secrets.hmac), JSON.stringify(h))
    const [h, c, s] = issued.token.split('.')
    for (const [label, token] of [['padded', `${h}.${c}=.${s}`], ['four parts', `${h}.${c}.${s}.${s}`], ['header only', `${h}..${s}`]]) {
      await expectNull((t) => auth.tokenManager.validateToken(t), token, label!)
    }
  })

  test('refreshAccessToken refuses malformed, unknown and wrong-secret tokens with typed errors', async (ctx) => {
    const { auth, jwt } = await multiAuth(ctx)
    for (const token of ['', 'etmrt_', 'a.b.c', `etmrt_${'A'.repeat(87)}`, null as unknown as string]) {
      await rejects(jwt.refreshAccessToken(token), { type: RefreshTokenMalformedError, code: 'ERR_REFRESH_TOKEN_MALFORMED' }, JSON.stringify(token))
    }
    const user = newUserId()
    const issued = await auth.tokenManager.issueToken({ authUserId: user, method: 'email' })
    const raw = issued.refreshToken!
    // Same layout, random id: well-formed but unknown.
    const unknownId = `etmrt_${bytesToBase64Url(Uint8Array.of(1, ...crypto.getRandomValues(new Uint8Array(64))))}`
    equal(unknownId.length, raw.length, 'same length as a real refresh token')
    await rejects(jwt.refreshAccessToken(unknownId), { code: 'ERR_REFRESH_TOKEN_NOT_FOUND' })
    // The real id with a wrong fixed secret proves nothing about the family: refused, row kept.
    const bytes = Uint8Array.from(atob(raw.slice(6).replace(/-/g, '+').replace(/_/g, '/')), (ch) => ch.charCodeAt(0))
    bytes[20]! ^= 0xff
    await rejects(jwt.refreshAccessToken(`etmrt_${bytesToBase64Url(bytes)}`), { code: 'ERR_REFRESH_TOKEN_INVALID_SECRET' })
    deepEqual((await auth.tokenManager.listTokens({ authUserId: user })).map((t) => t.tokenId), [issued.tokenId], 'row kept')
    assert((await jwt.refreshAccessToken(raw)).refreshToken, 'the real token still refreshes')
  })

  test('revoke, updateScopes and list with unknown or malformed ids are harmless no-ops', async (ctx) => {
    const { auth } = await multiAuth(ctx)
    const user = newUserId()
    const kept = await auth.tokenManager.issueToken({ authUserId: user, method: 'email' })
    for (const tokenId of ['', 'not-a-uuid', crypto.randomUUID(), crypto.randomUUID().toUpperCase(), "x' or '1'='1"]) {
      await auth.tokenManager.revokeToken({ tokenId })
    }
    await auth.tokenManager.revokeAllTokens({ authUserId: "x' or '1'='1" })
    deepEqual((await auth.tokenManager.listTokens({ authUserId: user })).map((t) => t.tokenId), [kept.tokenId], 'nothing else revoked')
    deepEqual(await auth.tokenManager.listTokens({ authUserId: newUserId() }), [])
    // Postgres matches a UUID in any case, so an upper-case id names the row: it revokes, never silently skips.
    await auth.tokenManager.revokeToken({ tokenId: kept.tokenId.toUpperCase() })
    deepEqual(await auth.tokenManager.listTokens({ authUserId: user }), [], 'upper-case id revokes')
  })

  test('issue and updateScopes arguments a database could not store are typed errors naming the argument, and write nothing', async (ctx) => {
    const { auth } = await multiAuth(ctx)
    const sessions = auth.getTokenManager(ServerSideSessionsTokenManager)
    const user = newUserId()
    const cases: [string, Record<string, unknown>][] = [
      ['authUserId', { method: 'email' }], ['authUserId', { authUserId: '', method: 'email' }], ['authUserId', { authUserId: 'a\u0000b', method: 'email' }],
      ['method', { authUserId: user }], ['method', { authUserId: user, method: 'e\u0000' }], ['scopes[1]', { authUserId: user, method: 'email', scopes: ['ok', 'x\u0000'] }],
      // A string is iterable: 'admin' must not become the scopes a, d, m, i, n.
      ['scopes', { authUserId: user, method: 'email', scopes: 'admin' }], ['scopes', { authUserId: user, method: 'email', scopes: 42 }],
    ]
    for (const manager of [auth.tokenManager, sessions]) {
      for (const [argument, options] of cases) {
        const error = await rejects(manager.issueToken(options as never), { code: 'ERR_INVALID_ARGUMENT' }, argument)
        assert(error.message.startsWith(`${argument} must be`), `names ${argument}: ${error.message}`)
      }
    }
    deepEqual(await auth.tokenManager.listTokens({ authUserId: user }), [], 'nothing written')
    const session = await sessions.issueToken({ authUserId: user, method: 'email', scopes: ['read'] })
    for (const scopes of ['admin', null, { admin: true }]) {
      await rejects(sessions.updateScopes({ tokenId: session.tokenId, scopes: scopes as never }), { code: 'ERR_INVALID_ARGUMENT' }, `updateScopes(${JSON.stringify(scopes)})`)
    }
    deepEqual((await sessions.validateToken(session.token))?.scopes, ['read'], 'scopes unchanged')
  })

  test('every duration is bounded: beyond 3650 days is a config error naming the option, 3650 days works end to end', async (ctx) => {
    const tooLong = await throws(() => hs512Config({ refreshTokenLifetime: '200000000d' }), { code: 'ERR_CONFIG' })
    assert(tooLong.message.includes('refreshTokenLifetime'), 'names the option')
    await throws(() => sessionsConfig({ defaultSessionLifetime: '3651d' }), { code: 'ERR_CONFIG' })
    await throws(() => sessionsConfig({ defaultSessionInactivityTimeout: 1e300 }), { code: 'ERR_CONFIG' })
    const { auth } = createAuth(ctx, [hs512Config({ refreshTokenLifetime: '3650d' }), sessionsConfig({ defaultSessionLifetime: '3650d' })])
    const sessions = auth.getTokenManager(ServerSideSessionsTokenManager)
    await rejects(sessions.issueToken({ authUserId: newUserId(), method: 'pat', expiresAt: new Date(8.64e15) }), { code: 'ERR_CONFIG' })
    await auth.tokenManager.issueToken({ authUserId: newUserId(), method: 'email' })
    await sessions.issueToken({ authUserId: newUserId(), method: 'pat' })
    equal(await auth.tokenManager.deleteExpiredTokens(), 0, 'the sweep runs (no timestamp overflow) and keeps live rows')
  })

  test('a clock that returns Invalid Date fails closed: validation and refresh reject with ERR_CONFIG', async (ctx) => {
    let broken = false
    const good = Date.parse('2026-06-01T12:00:00.000Z')
    const clock = Object.assign(() => new Date(broken ? Number.NaN : good), { advance: () => {}, set: () => {} })
    const { auth } = createAuth(ctx, [hs512Config(), sessionsConfig()], { clock })
    const jwt = auth.getTokenManager(JwtTokenManager)
    const sessions = auth.getTokenManager(ServerSideSessionsTokenManager)
    const pair = await auth.tokenManager.issueToken({ authUserId: newUserId(), method: 'email' })
    const session = await sessions.issueToken({ authUserId: newUserId(), method: 'email' })
    broken = true
    await rejects(auth.tokenManager.validateToken(pair.token), { code: 'ERR_CONFIG' }, 'an access token is not valid on no time')
    await rejects(auth.tokenManager.validateToken(session.token), { code: 'ERR_CONFIG' }, 'nor is a session')
    await rejects(jwt.refreshAccessToken(pair.refreshToken!), { code: 'ERR_CONFIG' }, 'nor a refresh')
  })

  test('bad configuration fails at configuration time with typed errors, naming no secret', async (ctx) => {
    const pepperError = await throws(() => new ServerSideSessionsConfig({ sessionKeyHashPepper: 'short' }), { code: 'ERR_CONFIG' })
    assert(!pepperError.message.includes('short'), 'the message does not echo the value')
    await throws(() => hs512Config({ accessTokenLifetime: -1 }), { code: 'ERR_CONFIG' })
    await throws(() => hs512Config({ refreshTokenHashAlgorithm: { name: 'PBKDF2-SHA512', iterations: 1_000_000 } }), { code: 'ERR_CONFIG' })
    await throws(() => new JwtConfig({ algorithm: 'HS512' as never, refreshTokenHashPepper: secrets.refreshPepper }), { code: 'ERR_CONFIG' })
    await throws(() => createAuth(ctx, []), { code: 'ERR_CONFIG' })
    // A malformed key surfaces through auth.ready, before any request, on every runtime.
    const { auth } = createAuth(ctx, [hs512Config({ algorithm: JwtAlgorithm.ecdsaSha512({ privateKey: 'not a pem', publicKey: 'not a pem' }) })])
    const error = await rejects(auth.ready, { code: 'ERR_KEY_IMPORT' })
    assert(!error.message.includes('not a pem'), 'the message does not echo the key')
    // Loud everywhere: validation rejects with the same typed error instead of calling every token invalid.
    await rejects(auth.tokenManager.validateToken(`${base64UrlJson({ alg: 'ES512' })}.e30.AA`), { code: 'ERR_KEY_IMPORT' }, 'validateToken')
  })
})
