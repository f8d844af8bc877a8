// oauth4webapi (an independent OAuth 2.0 / RFC 9449 client) against the real routes over real HTTP on
// PGlite: the RFC 6749 §6 refresh, its §5.2 invalid_grant, DPoP-bound sign-in, refresh and resource calls
// with the proofs oauth4webapi makes, and its retry after a use_dpop_nonce answer.
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import * as oauth from 'oauth4webapi'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DpopSetting } from '../../src/index.ts'
import { authenticate, authRoutes, guard } from '../../src/hono/index.ts'
import { dpopProofRequest } from '../../src/hono/dpop.ts'
import { oauthTokenResponse } from '../../src/hono/oauth-refresh.ts'
import { createAuth, testClock } from '../support/auth.ts'
import { openDatabase, type OpenDatabase } from '../support/drivers.ts'

let database: OpenDatabase
const servers: ReturnType<typeof serve>[] = []
beforeAll(async () => void (database = await openDatabase('pglite')))
afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))))
  await database?.close()
})

// The app's own sign-in, shaped as a token endpoint for a test grant so oauth4webapi can send it (with its
// DPoP proof when it has a handle); the library binds the sign-in to the proof's key.
const signInGrant = 'urn:example:params:oauth:grant-type:test-sign-in'

async function start(dpop?: DpopSetting) {
  // Proofs carry real time (oauth4webapi's clock), so the server's clock starts at real time too.
  const clock = testClock(Date.now())
  const { auth } = createAuth(database.db, 'jwt', { clock, ...(dpop && { jwt: { dpop } }) })
  const app = new Hono()
  app.route('/auth', authRoutes(auth))
  app.post('/sign-in', async (c) => {
    const form = new URLSearchParams(await c.req.text())
    if (form.get('grant_type') !== signInGrant) return c.json({ error: 'unsupported_grant_type' }, 400)
    const success = await guard(() => auth.tokenManager.issueToken({
      authUserId: form.get('username') ?? 'nobody', method: 'test', scopes: ['read', 'write'], dpop: dpopProofRequest(c),
    }))
    return c.json(oauthTokenResponse(success, success.dpopJkt ? 'DPoP' : 'Bearer'), 200, { 'Cache-Control': 'no-store' })
  })
  app.get('/api/me', authenticate({ auth }), (c) => c.json({ user: c.var.auth.userIdentifier, jkt: c.var.auth.dpopJkt ?? null }))
  const server = serve({ port: 0, hostname: '127.0.0.1', fetch: app.fetch })
  servers.push(server)
  await new Promise<void>((resolve) => server.once('listening', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const refreshServer: oauth.AuthorizationServer = { issuer: origin, token_endpoint: `${origin}/auth/refresh` }
  const signInServer: oauth.AuthorizationServer = { issuer: origin, token_endpoint: `${origin}/sign-in` }
  const client: oauth.Client = { client_id: 'interop-cli' }
  const http = { [oauth.allowInsecureRequests]: true } as const
  const sent: { path: string; status: number; dpop: string | null; authorization: string | null }[] = []
  const options = {
    ...http,
    [oauth.customFetch]: async (url: string, init: oauth.CustomFetchOptions<string, any>) => {
      const response = await fetch(url, init as RequestInit)
      const headers = new Headers(init.headers)
      sent.push({ path: new URL(url).pathname, status: response.status, dpop: headers.get('dpop'), authorization: headers.get('authorization') })
      return response
    },
  }
  const signIn = async (username: string, DPoP?: oauth.DPoPHandle) => {
    const request = () => oauth.genericTokenEndpointRequest(signInServer, client, oauth.None(), signInGrant, { username }, { ...options, ...(DPoP && { DPoP }) })
    return oauth.processGenericTokenEndpointResponse(signInServer, client, await request())
  }
  const refresh = async (refreshToken: string, DPoP?: oauth.DPoPHandle) =>
    oauth.processRefreshTokenResponse(refreshServer, client,
      await oauth.refreshTokenGrantRequest(refreshServer, client, oauth.None(), refreshToken, { ...options, ...(DPoP && { DPoP }) }))
  const me = (accessToken: string, DPoP?: oauth.DPoPHandle) =>
    oauth.protectedResourceRequest(accessToken, 'GET', new URL(`${origin}/api/me`), undefined, undefined, { ...options, ...(DPoP && { DPoP }) })
  return { auth, clock, origin, client, sent, signIn, refresh, me }
}

async function es256Handle(client: oauth.Client): Promise<{ handle: oauth.DPoPHandle; pair: CryptoKeyPair }> {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair
  return { handle: oauth.DPoP(client, pair), pair }
}

/** What oauth4webapi throws, for the assertions (it throws on every refused answer). */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected a refusal')
}

describe('oauth4webapi refreshTokenGrantRequest without DPoP', () => {
  it('refreshes: processRefreshTokenResponse accepts the answer, the new token authenticates, the old one later is invalid_grant', async () => {
    const { refresh, me, clock, auth, sent } = await start()
    const issued = await auth.tokenManager.issueToken({ authUserId: 'i-bearer', method: 'test', scopes: ['read', 'write'] })
    const answer = await refresh(issued.refreshToken!)
    expect(answer.token_type).toBe('bearer')
    expect(answer.expires_in).toBe(600)
    expect(answer.scope).toBe('read write')
    expect(answer.refresh_token).toMatch(/^etmrt_/)
    expect(answer.refresh_token).not.toBe(issued.refreshToken)
    // What oauth4webapi sent: a form with its client_id (public client), no proof.
    expect(sent.at(-1)).toMatchObject({ path: '/auth/refresh', status: 200, dpop: null })

    const resource = await me(answer.access_token)
    expect(resource.status).toBe(200)
    expect(await resource.json()).toEqual({ user: 'i-bearer', jkt: null })

    clock.advance(11_000) // past the 10 s grace window
    const reused = await failure(refresh(issued.refreshToken!))
    expect(reused).toBeInstanceOf(oauth.ResponseBodyError)
    expect(reused).toMatchObject({ error: 'invalid_grant', status: 400, cause: { error: 'invalid_grant', code: 'ERR_REFRESH_TOKEN_REUSED' } })
    // Reuse revoked the family: the rotated token is dead too.
    expect(await failure(refresh(answer.refresh_token!))).toMatchObject({ error: 'invalid_grant' })
  })
})

describe('oauth4webapi with its DPoP handle', () => {
  it('binds the sign-in, refreshes as token_type DPoP, and its resource requests pass; Bearer use of the bound token is refused', async () => {
    const { signIn, refresh, me, client, sent } = await start('optional')
    const { handle, pair } = await es256Handle(client)
    const jkt = await handle.calculateThumbprint()

    const signedIn = await signIn('i-dpop', handle)
    expect(signedIn.token_type).toBe('dpop')
    const refreshed = await refresh(signedIn.refresh_token!, handle)
    expect(refreshed.token_type).toBe('dpop')
    expect(refreshed.expires_in).toBe(600)
    expect(refreshed.refresh_token).not.toBe(signedIn.refresh_token)
    expect(sent.filter((s) => s.path !== '/api/me').every((s) => s.dpop !== null)).toBe(true)

    const resource = await me(refreshed.access_token, handle)
    expect(resource.status).toBe(200)
    expect(await resource.json()).toEqual({ user: 'i-dpop', jkt })
    expect(sent.at(-1)!.authorization).toMatch(/^DPoP /)
    // Its proof carries ath; the next call gets a fresh proof (a new jti), accepted again.
    const proof = JSON.parse(Buffer.from(sent.at(-1)!.dpop!.split('.')[1]!, 'base64url').toString())
    expect(proof.ath).toMatch(/^[\w-]{43}$/)
    expect((await me(refreshed.access_token, handle)).status).toBe(200)

    // The same token as Bearer (no handle): 401 with the DPoP challenge, which oauth4webapi parses.
    const asBearer = await failure(me(refreshed.access_token))
    expect(asBearer).toBeInstanceOf(oauth.WWWAuthenticateChallengeError)
    const challenges = (asBearer as oauth.WWWAuthenticateChallengeError).cause
    expect((asBearer as oauth.WWWAuthenticateChallengeError).status).toBe(401)
    expect(challenges.map((c) => c.scheme)).toEqual(['bearer', 'dpop'])
    expect(challenges[1]!.parameters.algs).toContain('ES256')

    // Another key's handle refreshes nothing: invalid_grant, processed as such.
    const thief = await es256Handle(client)
    expect(await failure(refresh(refreshed.refresh_token!, thief.handle))).toMatchObject({ error: 'invalid_grant', cause: { code: 'ERR_DPOP_KEY_MISMATCH' } })
    // Without a proof the bound refresh token is refused as invalid_dpop_proof.
    expect(await failure(refresh(refreshed.refresh_token!))).toMatchObject({ error: 'invalid_dpop_proof', cause: { code: 'ERR_DPOP_PROOF_MISSING' } })
    expect(pair.privateKey.extractable).toBe(false)
  })

  it('retries after use_dpop_nonce with the nonce its handle kept, at sign-in, at refresh and at the resource', async () => {
    const { signIn, refresh, me, client, sent } = await start({ binding: 'required', nonce: { secret: 'i'.repeat(32) } })
    const { handle, pair } = await es256Handle(client)
    // The retry loop oauth4webapi documents: isDPoPNonceError, then the same call again.
    const withRetry = async <T>(call: () => Promise<T>): Promise<T> => {
      try {
        return await call()
      } catch (error) {
        if (!oauth.isDPoPNonceError(error)) throw error
        return call()
      }
    }
    const first = await failure(signIn('i-nonce', handle))
    expect(oauth.isDPoPNonceError(first)).toBe(true)
    expect(first).toMatchObject({ error: 'use_dpop_nonce', status: 400 })
    const signedIn = await withRetry(() => signIn('i-nonce', handle))
    expect(signedIn.token_type).toBe('dpop')
    // The handle now holds the server's nonce: refresh and resource pass on the first try.
    const refreshed = await withRetry(() => refresh(signedIn.refresh_token!, handle))
    expect(refreshed.token_type).toBe('dpop')
    const resource = await withRetry(() => me(refreshed.access_token, handle))
    expect(resource.status).toBe(200)
    expect(sent.map((s) => `${s.path} ${s.status}`)).toEqual(['/sign-in 400', '/sign-in 200', '/auth/refresh 200', '/api/me 200'])

    // A second handle over the same key has no nonce yet: 401 with use_dpop_nonce in WWW-Authenticate, then its retry passes.
    const fresh = oauth.DPoP(client, pair)
    const refused = await failure(me(refreshed.access_token, fresh))
    expect(refused).toBeInstanceOf(oauth.WWWAuthenticateChallengeError)
    expect(oauth.isDPoPNonceError(refused)).toBe(true)
    expect((await withRetry(() => me(refreshed.access_token, fresh))).status).toBe(200)
    expect(sent.slice(4).map((s) => `${s.path} ${s.status}`)).toEqual(['/api/me 401', '/api/me 200'])
  })
})
