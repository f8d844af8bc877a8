// MultiTokenManager on the runtime under test: the primary issues, validation tries each manager in
// order, list/revoke span all managers, getTokenManager finds each by class.
import { JwtTokenManager, ServerSideSessionsTokenManager, TokenManagerNotFoundError, type TokenManager } from 'edge-token-managers'
import { assert, deepEqual, equal, rejects, suite } from './harness.ts'
import { createAuth, days, hs512Config, newUserId, sessionsConfig, testClock, type ConformanceContext } from './support.ts'

async function multiAuth(ctx: ConformanceContext, order: 'jwt-first' | 'session-first') {
  const builders = order === 'jwt-first' ? [hs512Config(), sessionsConfig()] : [sessionsConfig(), hs512Config()]
  const { auth, clock } = createAuth(ctx, builders)
  await auth.ready
  return { auth, clock, jwt: auth.getTokenManager(JwtTokenManager), sessions: auth.getTokenManager(ServerSideSessionsTokenManager) }
}

export const multiTests = suite<ConformanceContext>('multi', (test) => {
  test('the primary issues; tokens of every configured manager validate', async (ctx) => {
    const { auth, sessions } = await multiAuth(ctx, 'jwt-first')
    const user = newUserId()
    const jwt = await auth.tokenManager.issueToken({ authUserId: user, method: 'email' })
    equal(jwt.authStrategy, 'jwt', 'primary issues')
    const session = await sessions.issueToken({ authUserId: user, method: 'email' })
    equal((await auth.tokenManager.validateToken(jwt.token))?.tokenIssuer, 'jwt')
    equal((await auth.tokenManager.validateToken(session.token))?.tokenIssuer, 'session')

    const { auth: reversed } = await multiAuth(ctx, 'session-first')
    equal((await reversed.tokenManager.issueToken({ authUserId: user, method: 'email' })).authStrategy, 'session', 'order decides the primary')
    equal((await reversed.tokenManager.validateToken(jwt.token))?.authId, jwt.tokenId, 'additional managers validate')
  })

  test('getTokenManager finds each configured manager and throws a typed error for a missing one', async (ctx) => {
    const { auth, jwt, sessions } = await multiAuth(ctx, 'session-first')
    assert(jwt instanceof JwtTokenManager && sessions instanceof ServerSideSessionsTokenManager, 'instances of the classes')
    equal(auth.tokenManager.primary, sessions as TokenManager, 'primary is the first config')
    deepEqual(auth.tokenManager.additional, [jwt])
    const { auth: jwtOnly } = createAuth(ctx, [hs512Config()])
    await rejects(() => jwtOnly.getTokenManager(ServerSideSessionsTokenManager), {
      type: TokenManagerNotFoundError, code: 'ERR_TOKEN_MANAGER_NOT_FOUND',
    })
  })

  test('listTokens concatenates in manager order and honours method and tokenIssuer filters', async (ctx) => {
    const { auth, clock, sessions } = await multiAuth(ctx, 'jwt-first')
    const user = newUserId()
    const session = await sessions.issueToken({ authUserId: user, method: 'email' })
    clock.advance(1_000) // within a manager, tokens list oldest first
    const jwt = await auth.tokenManager.issueToken({ authUserId: user, method: 'email' })
    clock.advance(1_000)
    const pat = await auth.tokenManager.issueToken({ authUserId: user, method: 'pat' })
    const ids = async (filter: { method?: string; tokenIssuer?: string }) => (await auth.tokenManager.listTokens({ authUserId: user, ...filter })).map((t) => t.tokenId)
    deepEqual(await ids({}), [jwt.tokenId, pat.tokenId, session.tokenId], 'JWT manager first, though the session is older')
    deepEqual(await ids({ method: 'email' }), [jwt.tokenId, session.tokenId])
    deepEqual(await ids({ tokenIssuer: 'session' }), [session.tokenId])
    deepEqual(await ids({ tokenIssuer: 'jwt', method: 'pat' }), [pat.tokenId])
  })

  test('revokeToken and revokeAllTokens reach every manager unless tokenIssuer names one', async (ctx) => {
    const { auth, sessions } = await multiAuth(ctx, 'jwt-first')
    const user = newUserId()
    const session = await sessions.issueToken({ authUserId: user, method: 'email' })
    const jwt = await auth.tokenManager.issueToken({ authUserId: user, method: 'email' })
    await auth.tokenManager.revokeToken({ tokenId: session.tokenId, tokenIssuer: 'jwt' })
    assert(await auth.tokenManager.validateToken(session.token), 'another issuer ignores the call')
    await auth.tokenManager.revokeToken({ tokenId: session.tokenId })
    equal(await auth.tokenManager.validateToken(session.token), null, 'revoked by its manager')

    await sessions.issueToken({ authUserId: user, method: 'email' })
    await auth.tokenManager.revokeAllTokens({ authUserId: user, tokenIssuer: 'session' })
    deepEqual((await auth.tokenManager.listTokens({ authUserId: user })).map((t) => t.tokenId), [jwt.tokenId], 'only sessions revoked')
    await sessions.issueToken({ authUserId: user, method: 'email' })
    await auth.tokenManager.revokeAllTokens({ authUserId: user })
    deepEqual(await auth.tokenManager.listTokens({ authUserId: user }), [], 'all managers revoked')
  })

  test('deleteExpiredTokens sweeps exactly the expired rows of every manager', async (ctx) => {
    // Far in the future, so the first sweep clears what earlier cases left and the second counts only ours.
    const clock = testClock(Date.parse('2100-01-01T00:00:00.000Z'))
    const { auth } = createAuth(ctx, [hs512Config({ refreshTokenLifetime: '14d' }), sessionsConfig({ defaultSessionLifetime: '2d' })], { clock })
    const sessions = auth.getTokenManager(ServerSideSessionsTokenManager)
    await auth.tokenManager.deleteExpiredTokens()
    const user = newUserId()
    const jwt = await auth.tokenManager.issueToken({ authUserId: user, method: 'email' })
    await sessions.issueToken({ authUserId: user, method: 'email' })
    const forever = await sessions.issueToken({ authUserId: user, method: 'pat', expiresAt: null })
    clock.advance(days(1))
    equal(await auth.tokenManager.deleteExpiredTokens(), 0, 'nothing expired yet')
    equal((await auth.tokenManager.listTokens({ authUserId: user })).length, 3)
    clock.advance(days(14))
    equal(await auth.tokenManager.deleteExpiredTokens(), 2, 'the refresh token and the 2-day session')
    deepEqual((await auth.tokenManager.listTokens({ authUserId: user })).map((t) => t.tokenId), [forever.tokenId])
    await rejects(auth.getTokenManager(JwtTokenManager).refreshAccessToken(jwt.refreshToken!), { code: 'ERR_REFRESH_TOKEN_NOT_FOUND' }, 'swept, not merely expired')
  })
})
