// The adversarial battery (./attacks.ts) against every manager — JWT HS512, JWT ES512, JWT with an
// issuer, sessions, and two MultiTokenManagers — and through the Hono middleware and refresh route.
// Every attack must give null / 401 (400 where the header is not even RFC 6750 syntax), nothing may
// throw, and the controls (valid tokens built by the same forging code) must pass, or the battery
// would prove nothing.
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  initializeAuthServices, JwtAlgorithm, JwtConfig, JwtTokenManager, ServerSideSessionsTokenManager,
  type AuthServices, type TokenManager, type TokenManagerBuilder,
} from '../../src/index.ts'
import { drizzleTokenStore } from '../../src/drizzle/index.ts'
import { authenticate, authRoutes, tokenCookies } from '../../src/hono/index.ts'
import { createAuth, jwtConfig, secrets, sessionsConfig, testClock } from '../support/auth.ts'
import { openDatabase, type OpenDatabase } from '../support/drivers.ts'
import { createFigures } from '../support/figures.ts'
import { claims, es512KeyMaterial, forgeJws } from '../support/forge.ts'
import { buildAttacks, targetNames, type Attack, type AttackContext, type TargetName } from './attacks.ts'

const figures = createFigures('forged-tokens')
figures.watchUnhandled()
figures.add('forgedAccepted', 0) // recorded as 0, not absent
const issuer = 'https://auth.example'
const clock = testClock()

let database: OpenDatabase
let targets: Record<TargetName, TokenManager>
let services: { hs: AuthServices<unknown>; es: AuthServices<unknown> }
let ctx: AttackContext
let attacks: Attack[]
let controls: { name: string; token: string; acceptedBy: readonly TargetName[] }[]

beforeAll(async () => {
  database = await openDatabase('node-postgres')
  const store = drizzleTokenStore(database.db)
  const [es, attacker] = await Promise.all([es512KeyMaterial(), es512KeyMaterial()])
  const esJwt = () => new JwtConfig({ algorithm: JwtAlgorithm.ecdsaSha512({ privateKey: es.privateKey, publicKey: es.publicKey }), refreshTokenHashPepper: secrets.refreshPepper })
  const build = (...builders: TokenManagerBuilder[]) => initializeAuthServices({ store, clock, tokenManagerBuilders: builders })
  services = { hs: createAuth(database.db, 'multi', { clock }).auth, es: build(esJwt(), sessionsConfig()) }
  const issuerAuth = build(jwtConfig({ issuer }))
  const sessionsOnly = build(sessionsConfig())
  const foreign = build(sessionsConfig({ sessionKeyHashPepper: 'another-deployment-pepper' }))
  targets = {
    'jwt HS512': services.hs.getTokenManager(JwtTokenManager),
    'jwt ES512': services.es.getTokenManager(JwtTokenManager),
    'jwt HS512 with iss': issuerAuth.getTokenManager(JwtTokenManager),
    sessions: sessionsOnly.getTokenManager(ServerSideSessionsTokenManager),
    'multi HS512 + sessions': services.hs.tokenManager,
    'multi ES512 + sessions': services.es.tokenManager,
  }
  const [published] = await services.es.getTokenManager(JwtTokenManager).publicJwks()
  ctx = {
    nowMs: clock().getTime(), hmacKey: secrets.hmac, otherHmacKey: secrets.otherHmac, es, attacker, esKid: published!.kid,
    publishedJwk: JSON.stringify(published), issuer,
    hsPair: await services.hs.tokenManager.issueToken({ authUserId: 'victim', method: 'email' }),
    esPair: await services.es.tokenManager.issueToken({ authUserId: 'victim', method: 'email' }),
    session: await sessionsOnly.tokenManager.issueToken({ authUserId: 'victim', method: 'email' }),
    otherSession: await sessionsOnly.tokenManager.issueToken({ authUserId: 'someone-else', method: 'email' }),
    foreignSession: await foreign.tokenManager.issueToken({ authUserId: 'victim', method: 'email' }),
  }
  attacks = await buildAttacks(ctx)

  const hsTargets = ['jwt HS512', 'multi HS512 + sessions'] as const
  const esTargets = ['jwt ES512', 'multi ES512 + sessions'] as const
  const real = { hmac: secrets.hmac }
  const valid = claims(ctx.nowMs)
  controls = [
    { name: 'issued HS512 access token', token: ctx.hsPair.token, acceptedBy: hsTargets },
    { name: 'issued ES512 access token', token: ctx.esPair.token, acceptedBy: esTargets },
    { name: 'issued session token', token: ctx.session.token, acceptedBy: ['sessions', 'multi HS512 + sessions', 'multi ES512 + sessions'] },
    { name: 'forged with the real HS512 key', token: await forgeJws({ alg: 'HS512', typ: 'JWT' }, valid, real), acceptedBy: hsTargets },
    { name: 'typ "jwt" in lower case (RFC 7515: case-insensitive)', token: await forgeJws({ alg: 'HS512', typ: 'jwt' }, valid, real), acceptedBy: hsTargets },
    { name: 'no typ', token: await forgeJws({ alg: 'HS512' }, valid, real), acceptedBy: hsTargets },
    { name: 'unknown kid, real key (kid only orders the keys)', token: await forgeJws({ alg: 'HS512', kid: 'unknown' }, valid, real), acceptedBy: hsTargets },
    { name: 'with the configured iss', token: await forgeJws({ alg: 'HS512', typ: 'JWT' }, claims(ctx.nowMs, { iss: issuer }), real), acceptedBy: ['jwt HS512 with iss'] },
    { name: 'forged with the real ES512 key and kid', token: await forgeJws({ alg: 'ES512', typ: 'JWT', kid: ctx.esKid }, valid, { ecdsa: es.privateKey }), acceptedBy: esTargets },
    { name: 'forged with the real ES512 key, no kid', token: await forgeJws({ alg: 'ES512' }, valid, { ecdsa: es.privateKey }), acceptedBy: esTargets },
  ]
}, 60_000)

afterAll(async () => {
  figures.write()
  await database?.close()
  expect(figures.get('forgedAccepted')).toBe(0)
  expect(figures.get('unhandledExceptions')).toBe(0)
})

/** Refresh tokens the managers issued: legitimately refreshable, so never counted as forgeries. */
const issuedRefreshTokens = () => [ctx.hsPair.refreshToken!, ctx.esPair.refreshToken!]

/** Validates without letting anything escape: a throw is a failure of its own, reported as such. */
async function outcome(manager: TokenManager, input: unknown): Promise<'null' | 'accepted' | `threw ${string}`> {
  figures.add('inputsTried')
  try {
    return (await manager.validateToken(input as string)) === null ? 'null' : 'accepted'
  } catch (error) {
    return `threw ${String(error)}`
  }
}

describe('the controls', () => {
  it('valid tokens built by the forging helpers pass exactly the managers they were made for', async () => {
    for (const control of controls) {
      for (const name of targetNames) {
        const expected = control.acceptedBy.includes(name) ? 'accepted' : 'null'
        expect(await outcome(targets[name], control.token), `${control.name} on ${name}`).toBe(expected)
      }
    }
  })
})

describe('every attack gives null on every manager, and nothing throws', () => {
  const categories = [
    'alg none', 'ES512 public key as HMAC secret', 'ES512 ↔ HS512 swap', 'kid and key injection', 'crit and b64', 'wrong typ',
    'claims', 'wrong iss', 'duplicate keys', 'structure', 'size and depth', 'session near misses', 'wrong token kind', 'not a string',
  ]
  it('covers every category the battery builds', () => {
    expect(new Set(attacks.map((a) => a.category))).toEqual(new Set(categories))
    expect(attacks.length).toBeGreaterThan(150)
  })
  it.each(categories)('%s', async (category) => {
    for (const attack of attacks.filter((a) => a.category === category)) {
      for (const name of attack.only ?? targetNames) {
        const result = await outcome(targets[name], attack.input)
        if (result === 'accepted') figures.add('forgedAccepted')
        expect(result, `${attack.name} on ${name}`).toBe('null')
      }
    }
  })
})

describe('refreshAccessToken refuses anything but the issued refresh token, with a typed error', () => {
  const refreshErrors = ['ERR_REFRESH_TOKEN_MALFORMED', 'ERR_REFRESH_TOKEN_NOT_FOUND', 'ERR_REFRESH_TOKEN_INVALID_SECRET', 'ERR_REFRESH_TOKEN_REUSED']

  it('every attack input and every one-character change of a real refresh token', async () => {
    const jwt = services.hs.getTokenManager(JwtTokenManager)
    const victim = await jwt.issueToken({ authUserId: 'refresh-victim', method: 'email' })
    const token = victim.refreshToken!
    const mutations = Array.from({ length: token.length }, (_, i) => token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1))
    const inputs = [
      ...attacks.map((a) => a.input), ...mutations, `${token}=`, token.replace(/-/g, '+'), token.slice(0, -1), `${token}A`, ` ${token}`,
      token.toUpperCase(), token.replace('etmrt_', 'etmst_'), ctx.esPair.refreshToken, victim.token, ctx.session.token,
    ].filter((input) => !issuedRefreshTokens().includes(input as string) && input !== token)
    for (const input of inputs) {
      figures.add('inputsTried')
      const error = await jwt.refreshAccessToken(input as string).then(() => null, (e: unknown) => e)
      if (error === null) figures.add('forgedAccepted')
      expect(refreshErrors, `refresh with ${String(input).slice(0, 40)}`).toContain((error as { code?: string } | null)?.code)
    }
    // A mutated rotating secret with the right id and fixed secret looks like reuse: the family is gone.
    await expect(jwt.refreshAccessToken(token)).rejects.toMatchObject({ code: 'ERR_REFRESH_TOKEN_NOT_FOUND' })
  })
})

describe('through Hono', () => {
  function app(auth: AuthServices<unknown>) {
    const hono = new Hono()
    hono.get('/me', authenticate({ auth, cookies: tokenCookies({ session: 'token' }) }), (c) => c.json({ user: c.var.auth.userIdentifier }))
    hono.route('/auth', authRoutes(auth))
    return hono
  }

  /** The request as a client could send it, or null when HTTP cannot carry the value at all (NUL, newline). */
  function request(init: Record<string, string>): Request | null {
    try {
      return new Request('http://localhost/me', { headers: init })
    } catch {
      return null
    }
  }

  it('authenticate answers every attack with 401 invalid_token (or 400 invalid_request), never 2xx or 5xx, never echoing the token', async () => {
    for (const [label, auth] of [['HS512', services.hs], ['ES512', services.es]] as const) {
      const hono = app(auth)
      for (const attack of attacks) {
        if (typeof attack.input !== 'string' || (attack.only && !attack.only.some((n) => n.startsWith('multi')))) continue
        // HTTP strips surrounding whitespace from header values (and RFC 6750 allows 1*SP after "Bearer"),
        // so " token" or "token\n" in a header IS the issued token, not a forgery.
        if (controls.some((c) => c.token === (attack.input as string).trim())) continue
        for (const headers of [{ Authorization: `Bearer ${attack.input}` }, { Cookie: `token=${encodeURIComponent(attack.input)}` }] as Record<string, string>[]) {
          const req = request(headers)
          if (!req) continue
          figures.add('inputsTried')
          const res = await hono.request(req)
          const body = await res.text()
          if (res.status === 200) figures.add('forgedAccepted')
          const where = `${label}: ${attack.name} via ${Object.keys(headers)[0]}`
          expect([400, 401], where).toContain(res.status)
          const { error } = JSON.parse(body) as { error: string }
          expect(res.status === 400 ? ['invalid_request'] : ['invalid_token', 'unauthorized'], where).toContain(error)
          if (attack.input.length >= 16) expect(body.includes(attack.input), where).toBe(false)
        }
      }
      // The controls still get through, so the 401s above are the attacks' doing.
      expect((await hono.request('/me', { headers: { Authorization: `Bearer ${label === 'HS512' ? ctx.hsPair.token : ctx.esPair.token}` } })).status).toBe(200)
    }
  })

  it('POST /auth/refresh answers forged refresh tokens with 400 invalid_grant / invalid_request', async () => {
    const hono = app(services.hs)
    const inputs = [...attacks.map((a) => a.input), ctx.hsPair.token, ctx.session.token].filter((i) => !issuedRefreshTokens().includes(i as string))
    for (const input of inputs) {
      figures.add('inputsTried')
      const res = await hono.request('/auth/refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: input }) })
      if (res.status === 200) figures.add('forgedAccepted')
      expect(res.status, String(input).slice(0, 40)).toBe(400)
      expect(['invalid_grant', 'invalid_request']).toContain(((await res.json()) as { error: string }).error)
    }
  })
})
