// Work done on hostile input is bounded by the input size limits, counted — not timed: a megabyte
// token is refused before a single byte of it is decoded, parsed, hashed or looked up, and a token just
// under the limit costs at most one decode per part, one JSON parse per part and a capped number of
// signature checks. (Timings belong in bench/.)
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { JwtAlgorithm, JwtTokenManager, type AuthServices, type TokenManager, type TokenStore } from '../../src/index.ts'
import { maxJwsLength, randomBytes } from '../../src/crypto/index.ts'
import { drizzleTokenStore } from '../../src/drizzle/index.ts'
import { initializeAuthServices } from '../../src/index.ts'
import { jwtConfig, secrets, sessionsConfig, testClock } from '../support/auth.ts'
import { openDatabase, type OpenDatabase } from '../support/drivers.ts'
import { createFigures } from '../support/figures.ts'
import { b64url, claims, forgeJws } from '../support/forge.ts'

// Every decode and JSON parse the library does goes through these two modules: count calls and input.
const work = vi.hoisted(() => ({ decodes: 0, decodedChars: 0, parses: 0, parsedChars: 0, subtle: 0, verifies: 0, store: 0 }))
vi.mock('../../src/crypto/base64url.ts', async (importOriginal) => {
  const original = await importOriginal<Record<string, unknown>>()
  // Every decoder the module has (decodeBase64Url, decodeBase64UrlInto, …).
  const wrapped = Object.entries(original).map(([name, value]) => [name, typeof value === 'function' && name.startsWith('decodeBase64')
    ? (...args: unknown[]) => {
        work.decodes++
        work.decodedChars += typeof args[0] === 'string' ? args[0].length : 0
        return (value as (...a: unknown[]) => unknown)(...args)
      }
    : value])
  return Object.fromEntries(wrapped)
})
vi.mock('../../src/crypto/json.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/crypto/json.ts')>()
  return {
    ...original,
    parseJsonObject: (text: string) => {
      work.parses++
      work.parsedChars += text.length
      return original.parseJsonObject(text)
    },
  }
})

const figures = createFigures('input-bounds')
const megabyte = 1 << 20
const clock = testClock()
let database: OpenDatabase
let managers: Record<'jwt' | 'sessions' | 'multi' | 'jwt with 12 keys', TokenManager>
let jwt: JwtTokenManager

/** The store, counting every call the managers make on it. */
function countingStore(store: TokenStore): TokenStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver)
      return typeof value === 'function' ? (...args: unknown[]) => (work.store++, value.apply(target, args)) : value
    },
  })
}

beforeAll(async () => {
  database = await openDatabase('node-postgres')
  const store = countingStore(drizzleTokenStore(database.db))
  const build = (...builders: Parameters<typeof initializeAuthServices>[0]['tokenManagerBuilders']): AuthServices<unknown> =>
    initializeAuthServices({ store, clock, tokenManagerBuilders: builders })
  const fallbacks = Array.from({ length: 11 }, () => JwtAlgorithm.hmacSha512(randomBytes(64)))
  const all = { jwt: build(jwtConfig()), sessions: build(sessionsConfig()), multi: build(jwtConfig(), sessionsConfig()), many: build(jwtConfig({ fallbackVerificationAlgorithms: fallbacks })) }
  await Promise.all(Object.values(all).map((a) => a.ready))
  jwt = all.jwt.getTokenManager(JwtTokenManager)
  managers = { jwt: jwt, sessions: all.sessions.tokenManager, multi: all.multi.tokenManager, 'jwt with 12 keys': all.many.tokenManager }
  // Count Web Crypto calls only from here on: key imports above are start-up work.
  for (const method of ['verify', 'sign', 'digest', 'importKey', 'deriveBits'] as const) {
    const original = crypto.subtle[method].bind(crypto.subtle) as (...args: unknown[]) => unknown
    vi.spyOn(crypto.subtle, method).mockImplementation(((...args: unknown[]) => {
      work.subtle++
      if (method === 'verify') work.verifies++
      return original(...args)
    }) as never)
  }
})
afterAll(async () => {
  vi.restoreAllMocks()
  figures.write()
  await database?.close()
})
beforeEach(() => void Object.assign(work, { decodes: 0, decodedChars: 0, parses: 0, parsedChars: 0, subtle: 0, verifies: 0, store: 0 }))

const nothingDone = { decodes: 0, decodedChars: 0, parses: 0, parsedChars: 0, subtle: 0, verifies: 0, store: 0 }

describe('a 1 MB token is refused before any decoding, parsing, hashing or lookup', () => {
  const valid = () => claims(clock().getTime())
  const inputs: Record<string, () => Promise<string>> = {
    'letters': async () => 'a'.repeat(megabyte),
    'dots': async () => '.'.repeat(megabyte),
    'JWT with a 1 MB payload, validly signed': () => forgeJws({ alg: 'HS512', typ: 'JWT' }, { ...valid(), pad: 'x'.repeat(megabyte) }, { hmac: secrets.hmac }),
    'session-shaped': async () => `etmst_${'A'.repeat(megabyte)}`,
    'refresh-shaped': async () => `etmrt_${'A'.repeat(megabyte)}`,
  }
  it.each(Object.keys(inputs))('%s', async (name) => {
    const token = await inputs[name]!()
    for (const manager of Object.values(managers)) {
      Object.assign(work, nothingDone)
      figures.add('inputsTried')
      expect(await manager.validateToken(token)).toBeNull()
      expect(work).toEqual(nothingDone)
    }
    await expect(jwt.refreshAccessToken(token)).rejects.toMatchObject({ code: 'ERR_REFRESH_TOKEN_MALFORMED' })
    expect(work).toEqual(nothingDone)
  })
})

describe('a token just under the size limit costs work proportional to its size', () => {
  it('a maximal unsigned JWT: one decode per part, one parse, no signature check', async () => {
    const payload = b64url(JSON.stringify(claims(clock().getTime())))
    const signature = b64url(randomBytes(64))
    // Fill the header with keys until the token is exactly maxJwsLength characters long.
    let fields = '{"alg":"HS512"'
    let token = ''
    for (let i = 0; ; i++) {
      const next = `${b64url(`${fields},"k${i}":0}`)}.${payload}.${signature}`
      if (next.length > maxJwsLength) break
      fields += `,"k${i}":0`
      token = next
    }
    expect(token.length).toBeGreaterThan(maxJwsLength - 40)
    figures.add('inputsTried')
    expect(await managers.jwt.validateToken(token)).toBeNull()
    expect(work.decodedChars).toBeLessThanOrEqual(token.length)
    expect(work.parses).toBe(1) // the header; the payload is never parsed without a valid signature
    expect(work.verifies).toBe(1)
    expect(work.store).toBe(0)
  })

  it('a JSON bomb in the header is refused by the parser, before any signature check', async () => {
    const token = await forgeJws(`{"alg":"HS512","x":${'['.repeat(5000)}${']'.repeat(5000)}}`, claims(clock().getTime()), { hmac: secrets.hmac })
    expect(token.length).toBeLessThanOrEqual(maxJwsLength)
    figures.add('inputsTried')
    expect(await managers.multi.validateToken(token)).toBeNull()
    expect(work).toMatchObject({ parses: 1, verifies: 0, store: 0 })
  })

  it('a wrong signature costs at most 8 signature checks, however many fallback keys are configured', async () => {
    const token = await forgeJws({ alg: 'HS512', typ: 'JWT' }, claims(clock().getTime()), { hmac: 'not-any-configured-key' })
    figures.add('inputsTried')
    expect(await managers['jwt with 12 keys'].validateToken(token)).toBeNull()
    expect(work.verifies).toBe(8)
    // The control: a token of the primary key passes with one check.
    Object.assign(work, nothingDone)
    const valid = await forgeJws({ alg: 'HS512', typ: 'JWT' }, claims(clock().getTime()), { hmac: secrets.hmac })
    expect(await managers['jwt with 12 keys'].validateToken(valid)).not.toBeNull()
    expect(work.verifies).toBe(1)
  })

  it('a session token at its size cap is refused after one decode, without a lookup; a well-formed one costs one lookup', async () => {
    figures.add('inputsTried', 2)
    expect(await managers.sessions.validateToken(`etmst_${'A'.repeat(400)}`)).toBeNull()
    expect(work).toMatchObject({ decodes: 1, store: 0, subtle: 0 })
    Object.assign(work, nothingDone)
    const wellFormed = `etmst_${b64url(Uint8Array.of(1, ...randomBytes(16 + 32)))}`
    expect(await managers.sessions.validateToken(wellFormed)).toBeNull()
    expect(work).toMatchObject({ decodes: 1, store: 1, subtle: 0 })
  })
})
