// DPoP at the token endpoints on the runtime under test: a sign-in binds to its proof, and one whose proof
// fails gets an error, never an unbound token; `required` refuses sign-ins without a proof and unbound
// tokens; a bound refresh token refreshes only with a proof of its key (RFC 9449 §5), in JSON and in the
// RFC 6749 form, and the rightful holder keeps the sign-in.
import { JwtTokenManager, ServerSideSessionsTokenManager } from 'edge-token-managers'
import {
  dpopApp, expectAccepted, expectBadProof, expectBearerRefused, expectRefused, expectTokenEndpointError, kinds, origin, resourceUrl, type Issued,
} from './dpop-app.ts'
import { proofKey, unsignedProof } from './dpop-proofs.ts'
import { assert, deepEqual, equal, match, suite } from './harness.ts'
import { createAuth, hs512Config, newUserId, sessionsConfig, type ConformanceContext } from './support.ts'

const badProof = { error: 'invalid_dpop_proof', code: 'ERR_DPOP_PROOF_INVALID' }

export const dpopTokenTests = suite<ConformanceContext>('dpop', (test) => {
  for (const kind of kinds) {
    test(`${kind}: a sign-in binds to its proof; one whose proof fails gets an error and no token; one without a proof is a bearer sign-in (refused as DPoP)`, async (ctx) => {
      const { auth, signInWith, signInProof, resource, resourceProof, now } = dpopApp(ctx, kind)
      const key = await proofKey()
      const user = newUserId()
      const failing: [string, string, string?][] = [
        ['htu of another path', await signInProof(key, { htu: `${origin}/api/me` })],
        ['htm GET', await signInProof(key, { htm: 'GET' })],
        ['iat 61 s old', await signInProof(key, { iat: now() - 61 })],
        ['alg none', unsignedProof(key, { htm: 'POST', htu: `${origin}/sign-in`, iat: now() })],
        ['a private jwk', await signInProof(key, { header: { jwk: key.privateJwk } })],
        ['garbage', 'not-a-proof'],
      ]
      for (const [label, proof] of failing) await expectTokenEndpointError(await signInWith(proof, user), badProof, label)
      equal((await auth.tokenManager.listTokens({ authUserId: user })).length, 0, 'no failing sign-in issued anything')

      const proof = await signInProof(key)
      const bound = (await (await signInWith(proof, user)).json()) as Issued
      match(String(bound.dpopJkt), /^[A-Za-z0-9_-]{43}$/, 'bound')
      await expectTokenEndpointError(await signInWith(proof, user), { error: 'invalid_dpop_proof', code: 'ERR_DPOP_PROOF_REPLAYED' }, 'the same sign-in proof again')
      equal((await auth.tokenManager.listTokens({ authUserId: user })).length, 1, 'only the good sign-in issued a token')

      // No proof at all: an ordinary bearer sign-in, which the DPoP scheme is not for (RFC 9449 §7.1).
      const plain = (await (await signInWith(null)).json()) as Issued
      equal(plain.dpopJkt, undefined, 'unbound')
      await expectAccepted(await resource(plain.token, null, 'Bearer'), plain, 'an unbound token as Bearer')
      await expectRefused(await resource(plain.token, await resourceProof(key, plain.token)), { error: 'invalid_token', code: 'ERR_TOKEN_INVALID' }, 'an unbound token as DPoP')
    })

    test(`${kind}: binding 'required' refuses a sign-in without a proof and an unbound token issued before`, async (ctx) => {
      const { signIn, signInWith, resource, resourceProof, auth } = dpopApp(ctx, kind, 'required')
      const user = newUserId()
      await expectTokenEndpointError(await signInWith(null, user), { error: 'invalid_dpop_proof', code: 'ERR_DPOP_PROOF_MISSING' }, 'a sign-in without a proof')
      equal((await auth.tokenManager.listTokens({ authUserId: user })).length, 0, 'nothing issued')
      // The same secrets and tables without DPoP: a token from before binding was required.
      const { auth: before } = createAuth(ctx, [hs512Config(), sessionsConfig()])
      const manager = kind === 'jwt' ? before.getTokenManager(JwtTokenManager) : before.getTokenManager(ServerSideSessionsTokenManager)
      const old = await manager.issueToken({ authUserId: user, method: 'password' })
      assert(await before.tokenManager.validateToken(old.token), 'valid where DPoP is off')
      await expectBearerRefused(await resource(old.token, null, 'Bearer'), 'the unbound token as Bearer')
      const key = await proofKey()
      await expectRefused(await resource(old.token, await resourceProof(key, old.token)), { error: 'invalid_token', code: 'ERR_TOKEN_INVALID' }, 'the unbound token as DPoP')
      const issued = await signIn(key)
      await expectAccepted(await resource(issued.token, await resourceProof(key, issued.token)), issued, 'a bound sign-in')
    })
  }

  test('jwt: a bound refresh token refreshes only with a proof of its key (JSON and RFC 6749 form); the holder keeps the sign-in', async (ctx) => {
    const { auth, signIn, send, refresh, refreshProof, resource, resourceProof, now } = dpopApp(ctx, 'jwt')
    const [key, other] = await Promise.all([proofKey(), proofKey()])
    const issued = await signIn(key)
    const form = (refreshToken: string, proof: string | null) => send('POST', '/auth/refresh', {
      'content-type': 'application/x-www-form-urlencoded', ...(proof !== null && { DPoP: proof }),
    }, new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString())
    const mismatch = { error: 'invalid_grant', code: 'ERR_DPOP_KEY_MISMATCH' }
    const missing = { error: 'invalid_dpop_proof', code: 'ERR_DPOP_PROOF_MISSING' }
    // A copied refresh token, without the key.
    await expectTokenEndpointError(await refresh(issued.refreshToken!, null), missing, 'JSON, no proof')
    await expectTokenEndpointError(await refresh(issued.refreshToken!, await refreshProof(other)), mismatch, 'JSON, another key')
    await expectTokenEndpointError(await form(issued.refreshToken!, null), missing, 'form, no proof')
    await expectTokenEndpointError(await form(issued.refreshToken!, await refreshProof(other)), mismatch, 'form, another key')
    // The right key, but a proof that does not fit this request.
    await expectTokenEndpointError(await refresh(issued.refreshToken!, await refreshProof(key, { htu: resourceUrl })), badProof, 'a proof for another URL')
    await expectTokenEndpointError(await refresh(issued.refreshToken!, await refreshProof(key, { iat: now() - 61 })), badProof, 'a stale proof')
    await expectTokenEndpointError(await refresh(issued.refreshToken!, await refreshProof(key, { header: { jwk: key.privateJwk } })), badProof, 'a private jwk')

    // The holder: the sign-in survived every refused attempt.
    const proof = await refreshProof(key)
    const rotated = await refresh(issued.refreshToken!, proof)
    equal(rotated.status, 200, 'the holder refreshes')
    const next = (await rotated.json()) as Issued
    deepEqual([next.dpopJkt, next.authUserId], [issued.dpopJkt, issued.authUserId], 'the same key, the same user')
    assert(next.refreshToken !== issued.refreshToken && next.token !== issued.token, 'new tokens')
    await expectBearerRefused(await resource(next.token, null, 'Bearer'), 'the new access token as Bearer')
    await expectAccepted(await resource(next.token, await resourceProof(key, next.token)), next, 'the new access token with its proof')
    await expectBadProof(await resource(next.token, await resourceProof(other, next.token, { signer: key.privateKey })), 'the new token, a proof naming another key')
    await expectTokenEndpointError(await refresh(next.refreshToken!, proof), { error: 'invalid_dpop_proof', code: 'ERR_DPOP_PROOF_REPLAYED' }, 'the refresh proof replayed')
    const viaForm = await form(next.refreshToken!, await refreshProof(key))
    equal(viaForm.status, 200, 'the holder refreshes through the form')
    const oauth = (await viaForm.json()) as Record<string, unknown>
    equal(oauth.token_type, 'DPoP', 'token_type of a bound access token')
    match(String(oauth.refresh_token), /^etmrt_/, 'a rotated refresh token')
    equal((await auth.tokenManager.listTokens({ authUserId: issued.authUserId })).length, 1, 'one sign-in, alive')
  })
})
