// DPoP (RFC 9449) on the runtime under test, through the Hono app: the resource checks of §4.3 and §7 for
// a JWT sign-in and for a session, each bound to an ES256 key. Every case first shows the right proof
// accepted, then the wrong one refused, so a server that skipped the rule fails it.
import {
  dpopApp, expectAccepted, expectBadProof, expectBearerRefused, expectRefused, kinds, origin, resourceUrl,
} from './dpop-app.ts'
import { hmacProof, proofKey, signProof, thumbprint, unsignedProof } from './dpop-proofs.ts'
import { deepEqual, equal, suite } from './harness.ts'
import { minutes, type ConformanceContext } from './support.ts'
import { dpopTokenTests } from './dpop-tokens.ts'

const resourceTests = suite<ConformanceContext>('dpop', (test) => {
  for (const kind of kinds) {
    test(`${kind}: a copied bound token without its proof is refused, as Bearer (even beside a proof) and as DPoP without a DPoP header`, async (ctx) => {
      const { signIn, resource, resourceProof } = dpopApp(ctx, kind)
      const key = await proofKey()
      const issued = await signIn(key)
      equal(issued.dpopJkt, await thumbprint(key.publicJwk), 'bound to the RFC 7638 thumbprint of the key')
      await expectAccepted(await resource(issued.token, await resourceProof(key, issued.token)), issued, 'with its proof')

      await expectBearerRefused(await resource(issued.token, null, 'Bearer'), 'as Bearer', issued.token)
      await expectBearerRefused(await resource(issued.token, await resourceProof(key, issued.token), 'Bearer'), 'as Bearer with a good proof beside it')
      await expectRefused(await resource(issued.token, null), { error: 'invalid_dpop_proof', code: 'ERR_DPOP_PROOF_MISSING' }, 'as DPoP, no DPoP header', issued.token)
      await expectBadProof(await resource(issued.token, ''), 'as DPoP, an empty DPoP header', 'ERR_DPOP_PROOF_MISSING')
      await expectAccepted(await resource(issued.token, await resourceProof(key, issued.token)), issued, 'the holder still gets in')
    })

    test(`${kind}: a proof of another key is refused, whether it names its own key or the bound key's`, async (ctx) => {
      const { signIn, resource, resourceProof } = dpopApp(ctx, kind)
      const [key, other] = await Promise.all([proofKey(), proofKey()])
      const issued = await signIn(key)
      await expectAccepted(await resource(issued.token, await resourceProof(key, issued.token)), issued, 'the bound key')
      // A valid proof, but of a key the token is not bound to: the token is what fails.
      await expectRefused(await resource(issued.token, await resourceProof(other, issued.token)), { error: 'invalid_token', code: 'ERR_TOKEN_INVALID' }, 'own jwk')
      // The bound key's jwk in the header, signed by another key: the proof is what fails.
      await expectBadProof(await resource(issued.token, await resourceProof(key, issued.token, { signer: other.privateKey })), 'bound jwk, foreign signature')
      await expectAccepted(await resource(issued.token, await resourceProof(key, issued.token)), issued, 'the bound key afterwards')
    })

    test(`${kind}: a replayed proof (the same jti) is refused, a fresh one accepted`, async (ctx) => {
      const { signIn, resource, resourceProof } = dpopApp(ctx, kind)
      const key = await proofKey()
      const issued = await signIn(key)
      const proof = await resourceProof(key, issued.token)
      await expectAccepted(await resource(issued.token, proof), issued, 'first use')
      await expectBadProof(await resource(issued.token, proof), 'the same proof again', 'ERR_DPOP_PROOF_REPLAYED')
      const jti = JSON.parse(atob(proof.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))).jti as string
      await expectBadProof(await resource(issued.token, await resourceProof(key, issued.token, { jti })), 'a new proof reusing the jti', 'ERR_DPOP_PROOF_REPLAYED')
      await expectAccepted(await resource(issued.token, await resourceProof(key, issued.token)), issued, 'a fresh jti')
    })

    test(`${kind}: htm and htu must match the request; htu is compared without query and fragment, scheme and host case-free, default port dropped`, async (ctx) => {
      const { signIn, resource, resourceProof, send } = dpopApp(ctx, kind)
      const key = await proofKey()
      const issued = await signIn(key)
      const accepted: [string, Partial<Parameters<typeof resourceProof>[2]>][] = [
        ['as sent', {}],
        ['htu with a query and a fragment', { htu: `${resourceUrl}?page=2#top` }],
        ['htu in upper case scheme and host, with the default port', { htu: 'HTTPS://API.Example.TEST:443/api/me' }],
      ]
      for (const [label, input] of accepted) await expectAccepted(await resource(issued.token, await resourceProof(key, issued.token, input)), issued, label)
      // The request's own query is ignored the same way.
      const withQuery = await send('GET', '/api/me?page=3', { Authorization: `DPoP ${issued.token}`, DPoP: await resourceProof(key, issued.token) })
      await expectAccepted(withQuery, issued, 'a request with a query')
      const refused: [string, Partial<Parameters<typeof resourceProof>[2]>][] = [
        ['htm POST', { htm: 'POST' }],
        ['htm in lower case (methods are case-sensitive)', { htm: 'get' }],
        ['no htm', { claims: { htm: undefined } }],
        ['htu of another path', { htu: `${origin}/api/other` }],
        ['htu with the path in another case', { htu: `${origin}/API/me` }],
        ['htu of another host', { htu: 'https://evil.example.test/api/me' }],
        ['htu of another scheme', { htu: 'http://api.example.test/api/me' }],
        ['htu of another port', { htu: 'https://api.example.test:8443/api/me' }],
        ['htu not a URL', { htu: '/api/me' }],
        ['no htu', { claims: { htu: undefined } }],
      ]
      for (const [label, input] of refused) await expectBadProof(await resource(issued.token, await resourceProof(key, issued.token, input)), label)
      // A proof for one resource does not open another.
      await expectBadProof(await resource(issued.token, await resourceProof(key, issued.token), 'DPoP', '/api/other'), 'a proof for /api/me at /api/other')
    })

    test(`${kind}: iat must lie within 60 s in the past and 5 s in the future; a proof kept past its age is refused`, async (ctx) => {
      const { signIn, resource, resourceProof, now, clock } = dpopApp(ctx, kind)
      const key = await proofKey()
      const issued = await signIn(key)
      for (const offset of [-60, 0, 5]) {
        await expectAccepted(await resource(issued.token, await resourceProof(key, issued.token, { iat: now() + offset })), issued, `iat ${offset} s`)
      }
      for (const offset of [-61, -3600, 6, 3600]) {
        await expectBadProof(await resource(issued.token, await resourceProof(key, issued.token, { iat: now() + offset })), `iat ${offset} s`)
      }
      await expectBadProof(await resource(issued.token, await resourceProof(key, issued.token, { claims: { iat: String(now()) } })), 'iat as a string')
      await expectBadProof(await resource(issued.token, await resourceProof(key, issued.token, { claims: { iat: undefined } })), 'no iat')
      // Made now, never used, sent 61 s later: stale, though not a replay.
      const kept = await resourceProof(key, issued.token)
      clock.advance(61_000)
      await expectBadProof(await resource(issued.token, kept), 'a proof kept for 61 s')
      await expectAccepted(await resource(issued.token, await resourceProof(key, issued.token)), issued, 'a fresh one then')
    })

    test(`${kind}: a jwk with private or symmetric members, or none at all, is refused`, async (ctx) => {
      const { signIn, resource, resourceProof } = dpopApp(ctx, kind)
      const key = await proofKey()
      const issued = await signIn(key)
      await expectAccepted(await resource(issued.token, await resourceProof(key, issued.token)), issued, 'the public jwk')
      const { d } = key.privateJwk
      const headers: [string, unknown][] = [
        ['the private key (d)', key.privateJwk],
        ['the public key plus d', { ...key.publicJwk, d }],
        ['the public key plus k', { ...key.publicJwk, k: d }],
        ['an oct key', { kty: 'oct', k: d }],
        ['a P-384 curve name on the P-256 point', { ...key.publicJwk, crv: 'P-384' }],
        ['no jwk', undefined],
      ]
      for (const [label, jwk] of headers) await expectBadProof(await resource(issued.token, await resourceProof(key, issued.token, { header: { jwk } })), label)
      await expectAccepted(await resource(issued.token, await resourceProof(key, issued.token)), issued, 'the public jwk afterwards')
    })

    test(`${kind}: alg none, an HMAC, another algorithm than the key's, and a typ other than dpop+jwt are refused`, async (ctx) => {
      const { signIn, resource, resourceProof, now } = dpopApp(ctx, kind)
      const key = await proofKey()
      const issued = await signIn(key)
      await expectAccepted(await resource(issued.token, await resourceProof(key, issued.token)), issued, 'ES256, typ dpop+jwt')
      const base = { htm: 'GET', htu: resourceUrl, iat: now(), accessToken: issued.token }
      await expectBadProof(await resource(issued.token, unsignedProof(key, base)), 'alg none')
      await expectBadProof(await resource(issued.token, await hmacProof(base)), 'HS256 with an oct jwk')
      for (const [label, header] of [
        ['alg ES384 on a P-256 key', { alg: 'ES384' }],
        ['alg RS256', { alg: 'RS256' }],
        ['no alg', { alg: undefined }],
        ['typ JWT', { typ: 'JWT' }],
        ['typ at+jwt', { typ: 'at+jwt' }],
        ['no typ', { typ: undefined }],
      ] as const) {
        await expectBadProof(await resource(issued.token, await resourceProof(key, issued.token, { header })), label)
      }
      await expectBadProof(await resource(issued.token, `${await signProof(key, base)}.extra`), 'four segments')
    })

    test(`${kind}: the proof must carry the hash of this access token (ath)`, async (ctx) => {
      const { signIn, resource, resourceProof, signInProof, signInWith } = dpopApp(ctx, kind)
      const key = await proofKey()
      const issued = await signIn(key)
      // A second sign-in bound to the same key: a proof for one of its tokens must not serve the other.
      const second = (await (await signInWith(await signInProof(key), issued.authUserId)).json()) as typeof issued
      deepEqual([second.dpopJkt, second.authUserId], [issued.dpopJkt, issued.authUserId], 'the same key and user')
      await expectAccepted(await resource(issued.token, await resourceProof(key, issued.token)), issued, 'ath of the token')
      await expectBadProof(await resource(issued.token, await resourceProof(key, issued.token, { claims: { ath: undefined } })), 'no ath')
      await expectBadProof(await resource(issued.token, await resourceProof(key, second.token)), 'ath of the other token of the same key')
      await expectBadProof(await resource(issued.token, await resourceProof(key, issued.token, { claims: { ath: issued.token } })), 'the token itself as ath')
      await expectAccepted(await resource(second.token, await resourceProof(key, second.token)), second, 'the other token with its own ath')
    })

    test(`${kind}: with server nonces a proof without the current nonce gets use_dpop_nonce and DPoP-Nonce; the retry with it passes`, async (ctx) => {
      const { signIn, signInWith, signInProof, resource, resourceProof, clock } = dpopApp(ctx, kind, { binding: 'optional', nonce: { secret: 'conformance-dpop-nonce-secret-0123456789', lifetime: '1m' } })
      const key = await proofKey()
      // The sign-in (a token endpoint) asks first: 400 with the nonce.
      const asked = await signInWith(await signInProof(key))
      equal(asked.status, 400, 'a sign-in without a nonce')
      deepEqual(await asked.json(), { error: 'use_dpop_nonce', code: 'ERR_DPOP_NONCE_REQUIRED' }, 'a sign-in without a nonce')
      const nonce = asked.headers.get('dpop-nonce')
      equal(typeof nonce, 'string', 'DPoP-Nonce at the sign-in')
      const issued = await signIn(key, { nonce: nonce! })
      await expectAccepted(await resource(issued.token, await resourceProof(key, issued.token, { nonce: nonce! })), issued, 'with the nonce')
      const without = await resource(issued.token, await resourceProof(key, issued.token))
      await expectRefused(without.clone(), { error: 'use_dpop_nonce', code: 'ERR_DPOP_NONCE_REQUIRED' }, 'no nonce')
      equal(without.headers.get('dpop-nonce'), nonce, 'the resource hands out the current nonce')
      const forged = `${nonce!.slice(0, -4)}${nonce!.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`
      await expectRefused(await resource(issued.token, await resourceProof(key, issued.token, { nonce: forged })), { error: 'use_dpop_nonce', code: 'ERR_DPOP_NONCE_REQUIRED' }, 'a forged nonce')
      // Past its windows (1 min each, the current and the next) the nonce is stale: a new one is handed out.
      clock.advance(minutes(2) + 1_000)
      const stale = await resource(issued.token, await resourceProof(key, issued.token, { nonce: nonce! }))
      await expectRefused(stale.clone(), { error: 'use_dpop_nonce', code: 'ERR_DPOP_NONCE_REQUIRED' }, 'a stale nonce')
      const fresh = stale.headers.get('dpop-nonce')
      equal(typeof fresh === 'string' && fresh !== nonce, true, 'a new nonce')
      await expectAccepted(await resource(issued.token, await resourceProof(key, issued.token, { nonce: fresh! })), issued, 'the retry with the new nonce')
    })
  }
})

/** DPoP cases: the resource checks for both kinds, then sign-in and refresh (dpop-tokens.ts). */
export const dpopTests = [...resourceTests, ...dpopTokenTests]
