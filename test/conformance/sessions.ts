// ServerSideSessionsTokenManager on the runtime under test: issue, validate, lifetime and inactivity
// expiry by the injected clock, revocation, scope updates, pepper rotation.
import { ServerSideSessionsTokenManager } from 'edge-token-managers'
import { assert, deepEqual, equal, match, suite } from './harness.ts'
import { createAuth, minutes, newUserId, secrets, sessionsConfig, testClock, type ConformanceContext, type TestClock } from './support.ts'

async function sessionAuth(ctx: ConformanceContext, options: Parameters<typeof sessionsConfig>[0] = {}, clock: TestClock = testClock()) {
  const { auth } = createAuth(ctx, [sessionsConfig(options)], { clock })
  await auth.ready
  return { auth, clock, sessions: auth.getTokenManager(ServerSideSessionsTokenManager) }
}

/** Flips one bit of the secret part of a session token, keeping its id and format. */
function tamper(token: string): string {
  const last = token.at(-2) === 'A' ? 'B' : 'A'
  return `${token.slice(0, -2)}${last}${token.at(-1)}`
}

export const sessionTests = suite<ConformanceContext>('sessions', (test) => {
  test('issues an opaque session token that validates to the same user, scopes and id', async (ctx) => {
    const { auth, clock } = await sessionAuth(ctx)
    const user = newUserId()
    const issued = await auth.tokenManager.issueToken({ authUserId: user, method: 'email', scopes: ['read'] })
    equal(issued.authStrategy, 'session')
    match(issued.token, /^etmst_[A-Za-z0-9_-]+$/, 'token')
    equal(issued.refreshToken, null)
    equal(issued.tokenExpiresAt, null, 'no default lifetime')
    deepEqual(await auth.tokenManager.validateToken(issued.token), { userIdentifier: user, scopes: ['read'], authId: issued.tokenId, tokenIssuer: 'session' })
    const [listed] = await auth.tokenManager.listTokens({ authUserId: user })
    deepEqual(listed, {
      authUserId: user, tokenId: issued.tokenId, tokenIssuer: 'session', scopes: ['read'], method: 'email', createdAt: clock(), lastUsedAt: clock(),
    })
  })

  test('a wrong secret with a real session id gives null and leaves the session alive', async (ctx) => {
    const { auth } = await sessionAuth(ctx)
    const issued = await auth.tokenManager.issueToken({ authUserId: newUserId(), method: 'email' })
    equal(await auth.tokenManager.validateToken(tamper(issued.token)), null)
    assert(await auth.tokenManager.validateToken(issued.token), 'the real token still works')
  })

  test('a session expires at its lifetime (default or per issue) and its row is deleted', async (ctx) => {
    const { auth, clock, sessions } = await sessionAuth(ctx, { defaultSessionLifetime: '1h' })
    const user = newUserId()
    const issued = await auth.tokenManager.issueToken({ authUserId: user, method: 'email' })
    equal(issued.tokenExpiresAt!.getTime(), clock().getTime() + minutes(60))
    const forever = await sessions.issueToken({ authUserId: user, method: 'pat', expiresAt: null })
    clock.advance(minutes(59))
    assert(await auth.tokenManager.validateToken(issued.token), 'valid before its lifetime ends')
    clock.advance(minutes(1))
    equal(await auth.tokenManager.validateToken(issued.token), null, 'expired')
    assert(await auth.tokenManager.validateToken(forever.token), 'a per-issue override outlives the default')
    deepEqual((await auth.tokenManager.listTokens({ authUserId: user })).map((t) => t.method), ['pat'], 'expired row deleted')
  })

  test('an inactivity timeout is pushed back by use and ends an idle session', async (ctx) => {
    const { auth, clock } = await sessionAuth(ctx, { defaultSessionInactivityTimeout: '10m' })
    const issued = await auth.tokenManager.issueToken({ authUserId: newUserId(), method: 'email' })
    clock.advance(minutes(9))
    assert(await auth.tokenManager.validateToken(issued.token), 'used after 9 min')
    clock.advance(minutes(9))
    assert(await auth.tokenManager.validateToken(issued.token), 'still alive: the use above reset the timer')
    // lastUsedAt is written at most every timeout / 20 (30 s here) and the rule adds that lag back, so a
    // session dies between 10 and 10.5 minutes of real idleness — never before 10.
    clock.advance(minutes(10) - 1)
    assert(await auth.tokenManager.validateToken(issued.token), 'idle for just under 10 min')
    clock.advance(minutes(10) + 30_000)
    equal(await auth.tokenManager.validateToken(issued.token), null, 'idle for 10.5 min')
  })

  test('without an injected clock inactivity runs on the database clock: use keeps a session alive, idleness ends it', async (ctx) => {
    const { auth } = createAuth(ctx, [sessionsConfig({ defaultSessionInactivityTimeout: '1s' })], { clock: 'database' })
    const issued = await auth.tokenManager.issueToken({ authUserId: newUserId(), method: 'email' })
    for (let i = 0; i < 4; i++) {
      await new Promise((resolve) => setTimeout(resolve, 400))
      assert(await auth.tokenManager.validateToken(issued.token), `used every 0.4 s (#${i + 1}, 1.6 s in all)`)
    }
    await new Promise((resolve) => setTimeout(resolve, 1_300))
    equal(await auth.tokenManager.validateToken(issued.token), null, 'idle for 1.3 s (timeout 1 s + at most 5 %)')
  })

  test('revocation by id, by method and by user takes effect on the next validation', async (ctx) => {
    const { auth } = await sessionAuth(ctx)
    const user = newUserId()
    const [a, b, c] = await Promise.all(['email', 'email', 'google'].map((method) => auth.tokenManager.issueToken({ authUserId: user, method })))
    await auth.tokenManager.revokeToken({ tokenId: a!.tokenId })
    equal(await auth.tokenManager.validateToken(a!.token), null, 'revoked by id')
    assert(await auth.tokenManager.validateToken(b!.token), 'the others live')
    await auth.tokenManager.revokeAllTokens({ authUserId: user, method: 'email' })
    equal(await auth.tokenManager.validateToken(b!.token), null, 'revoked by method')
    assert(await auth.tokenManager.validateToken(c!.token), 'other method lives')
    await auth.tokenManager.revokeAllTokens({ authUserId: user })
    equal(await auth.tokenManager.validateToken(c!.token), null, 'revoked by user')
  })

  test('updateScopes is seen by the very next validation', async (ctx) => {
    const { auth, sessions } = await sessionAuth(ctx)
    const issued = await auth.tokenManager.issueToken({ authUserId: newUserId(), method: 'email', scopes: ['read'] })
    await sessions.updateScopes({ tokenId: issued.tokenId, scopes: ['read', 'admin', 'admin'] })
    deepEqual((await auth.tokenManager.validateToken(issued.token))?.scopes, ['read', 'admin'])
    await sessions.updateScopes({ tokenId: crypto.randomUUID(), scopes: ['admin'] }) // unknown id: ignored
  })

  test('after a pepper rotation, old sessions validate through the fallback and are re-hashed', async (ctx) => {
    const clock = testClock()
    const { auth: old } = await sessionAuth(ctx, { sessionKeyHashPepper: secrets.oldSessionPepper }, clock)
    const issued = await old.tokenManager.issueToken({ authUserId: newUserId(), method: 'email' })
    const { auth: fresh } = await sessionAuth(ctx, {}, clock)
    equal(await fresh.tokenManager.validateToken(issued.token), null, 'unknown pepper')
    const { auth: rotated } = await sessionAuth(ctx, { fallbackSessionKeyHashPeppers: [secrets.oldSessionPepper] }, clock)
    assert(await rotated.tokenManager.validateToken(issued.token), 'fallback pepper')
    // No waitUntil: the re-hash is awaited before validateToken returns, so the primary alone now matches.
    assert(await fresh.tokenManager.validateToken(issued.token), 're-hashed with the primary pepper')
  })
})
