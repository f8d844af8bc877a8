// The Hono app the DPoP cases run against, on the runtime under test: a sign-in route that binds to the
// request's proof, `authRoutes` (refresh), and a resource behind `authenticate`. Either the JWT manager
// or the sessions manager has `dpop` (never both), so each kind proves its own rules. The clock is
// injected: proofs are signed on it, and the `iat` window is checked on it.
import { JwtTokenManager, ServerSideSessionsTokenManager, type DpopSetting } from 'edge-token-managers'
import { authenticate, authRoutes, guard } from 'edge-token-managers/hono'
import { Hono } from 'hono'
import { signProof, type ProofInput, type ProofKey } from './dpop-proofs.ts'
import { assert, deepEqual, equal, fail } from './harness.ts'
import { createAuth, hs512Config, newUserId, sessionsConfig, testClock, type ConformanceContext } from './support.ts'

export type Kind = 'jwt' | 'session'
export const kinds: readonly Kind[] = ['jwt', 'session']

export const origin = 'https://api.example.test'
export const resourceUrl = `${origin}/api/me`

/** What the sign-in route answers (an AuthSuccess as JSON). */
export interface Issued {
  token: string
  refreshToken: string | null
  authUserId: string
  dpopJkt?: string
}

export function dpopApp(ctx: ConformanceContext, kind: Kind, dpop: DpopSetting = 'optional') {
  const clock = testClock()
  const builders = kind === 'jwt' ? [hs512Config({ dpop }), sessionsConfig()] : [hs512Config(), sessionsConfig({ dpop })]
  const { auth } = createAuth(ctx, builders, { clock })
  const manager = () => (kind === 'jwt' ? auth.getTokenManager(JwtTokenManager) : auth.getTokenManager(ServerSideSessionsTokenManager))
  const app = new Hono()
  app.post('/sign-in', async (c) => {
    // As docs/dpop.md shows it: the sign-in request's own proof binds the new sign-in.
    const dpopRequest = { proof: c.req.header('DPoP'), method: c.req.method, url: c.req.url }
    return c.json(await guard(() => manager().issueToken({ authUserId: c.req.query('user')!, method: 'password', dpop: dpopRequest })))
  })
  app.route('/auth', authRoutes(auth))
  app.get('/api/*', authenticate({ auth }), (c) => c.json({ user: c.var.auth.userIdentifier, jkt: c.var.auth.dpopJkt ?? null }))

  /** The clock's time in seconds, as a proof's `iat`. */
  const now = () => Math.floor(clock().getTime() / 1000)
  const send = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
    app.request(`${origin}${path}`, { method, headers, ...(body !== undefined && { body }) })
  /** A proof by `key` for the sign-in request. */
  const signInProof = (key: ProofKey, input: Partial<ProofInput> = {}) => signProof(key, { htm: 'POST', htu: `${origin}/sign-in`, iat: now(), ...input })
  /** Signs in with `proof` (none: an unbound sign-in); the raw response. */
  const signInWith = (proof: string | null, user = newUserId()) => send('POST', `/sign-in?user=${user}`, proof === null ? {} : { DPoP: proof })
  /** Signs in bound to `key`; checks the answer is bound to that key's thumbprint. */
  const signIn = async (key: ProofKey, input: Partial<ProofInput> = {}): Promise<Issued> => {
    const response = await signInWith(await signInProof(key, input))
    equal(response.status, 200, 'a sign-in with a good proof')
    const issued = (await response.json()) as Issued
    assert(typeof issued.dpopJkt === 'string', 'the sign-in is bound')
    return issued
  }
  /** A proof by `key` for `GET /api/me` with `token` (its `ath`), now. */
  const resourceProof = (key: ProofKey, token: string, input: Partial<ProofInput> = {}) =>
    signProof(key, { htm: 'GET', htu: resourceUrl, iat: now(), accessToken: token, ...input })
  /** `GET path` with `Authorization: <scheme> <token>`, and the `DPoP` header when `proof` is a string. */
  const resource = (token: string, proof: string | null, scheme = 'DPoP', path = '/api/me') =>
    send('GET', path, { Authorization: `${scheme} ${token}`, ...(proof !== null && { DPoP: proof }) })
  /** `POST /auth/refresh` with a JSON body, and the `DPoP` header when `proof` is a string. */
  const refresh = (refreshToken: string, proof: string | null) =>
    send('POST', '/auth/refresh', { 'content-type': 'application/json', ...(proof !== null && { DPoP: proof }) }, JSON.stringify({ refreshToken }))
  const refreshProof = (key: ProofKey, input: Partial<ProofInput> = {}) => signProof(key, { htm: 'POST', htu: `${origin}/auth/refresh`, iat: now(), ...input })
  return { auth, clock, app, now, send, signIn, signInWith, signInProof, resource, resourceProof, refresh, refreshProof }
}

// --- WWW-Authenticate -----------------------------------------------------------------------------

/**
 * The challenges of a `WWW-Authenticate` value (several headers arrive joined by ", "), by scheme, with
 * their quoted parameters. Enough for the library's challenges, whose parameters are all quoted.
 */
export function challenges(header: string | null): Map<string, Record<string, string>> {
  const found = new Map<string, Record<string, string>>()
  let current: Record<string, string> | undefined
  for (const [, scheme, name, value] of (header ?? '').matchAll(/\s*(?:([A-Za-z][\w-]*)\s+)?([a-z_]+)="([^"]*)"\s*,?/g)) {
    if (scheme !== undefined) found.set(scheme, (current = {}))
    if (!current) fail(`a parameter before any scheme in ${JSON.stringify(header)}`)
    current[name!] = value!
  }
  return found
}

const knownAlgorithms = ['ES256', 'ES384', 'ES512', 'EdDSA']

/** The DPoP challenge is there, for realm "api", listing ES256 and only asymmetric algorithms, with `error` (or none). */
export function expectDpopChallenge(response: Response, error: string | undefined, message: string): void {
  const dpop = challenges(response.headers.get('www-authenticate')).get('DPoP')
  assert(dpop, `${message}: a DPoP challenge, got ${JSON.stringify(response.headers.get('www-authenticate'))}`)
  equal(dpop.realm, 'api', `${message}: realm`)
  const algs = (dpop.algs ?? '').split(' ')
  assert(algs.includes('ES256') && algs.every((alg) => knownAlgorithms.includes(alg)), `${message}: algs lists ES256 and asymmetric algorithms only, got ${dpop.algs}`)
  equal(dpop.error, error, `${message}: the DPoP challenge's error`)
}

/**
 * A resource's refusal of a DPoP request: 401, the JSON body `{ error, code }` (never the token), and the
 * DPoP challenge carrying the same `error`.
 */
export async function expectRefused(response: Response, expected: { error: string; code: string }, message: string, token?: string): Promise<void> {
  equal(response.status, 401, `${message}: status`)
  const text = await response.clone().text()
  deepEqual(JSON.parse(text), expected, `${message}: body`)
  if (token !== undefined) assert(!text.includes(token), `${message}: the body never holds the token`)
  expectDpopChallenge(response, expected.error, message)
}

/**
 * A resource's refusal of a token sent as Bearer (RFC 6750 §3): 401 invalid_token, the error in the Bearer
 * challenge, and beside it the DPoP challenge without an error, telling the client DPoP is spoken here.
 */
export async function expectBearerRefused(response: Response, message: string, token?: string): Promise<void> {
  equal(response.status, 401, `${message}: status`)
  const text = await response.clone().text()
  deepEqual(JSON.parse(text), { error: 'invalid_token', code: 'ERR_TOKEN_INVALID' }, `${message}: body`)
  if (token !== undefined) assert(!text.includes(token), `${message}: the body never holds the token`)
  const bearer = challenges(response.headers.get('www-authenticate')).get('Bearer')
  deepEqual(bearer, { realm: 'api', error: 'invalid_token' }, `${message}: the Bearer challenge`)
  expectDpopChallenge(response, undefined, message)
}

/** A refused proof at a resource: 401 invalid_dpop_proof, ERR_DPOP_PROOF_INVALID unless `code` says otherwise. */
export const expectBadProof = (response: Response, message: string, code = 'ERR_DPOP_PROOF_INVALID') =>
  expectRefused(response, { error: 'invalid_dpop_proof', code }, message)

/** The resource answered 200 for this user, bound to `jkt`. */
export async function expectAccepted(response: Response, issued: Issued, message: string): Promise<void> {
  equal(response.status, 200, `${message}: status`)
  deepEqual(await response.json(), { user: issued.authUserId, jkt: issued.dpopJkt ?? null }, message)
}

/** A 400 of the token endpoint (sign-in through `guard`, or `/auth/refresh`): `{ error, code }`. */
export async function expectTokenEndpointError(response: Response, expected: { error: string; code: string }, message: string): Promise<void> {
  equal(response.status, 400, `${message}: status`)
  deepEqual(await response.json(), expected, message)
}
