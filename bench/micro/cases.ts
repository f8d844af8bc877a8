// The micro benchmark cases, per operation: raw crypto.subtle (the floor, always first), this library,
// jose and hono/jwt. Portable: the same cases run on Node, Bun, Deno and workerd.
import { jwtVerify, SignJWT } from 'jose'
import { sign as honoSign, verify as honoVerify } from 'hono/jwt'
import { decodeBase64Url } from '../../src/crypto/base64url.ts'
import { signJws } from '../../src/crypto/jws.ts'
import { SecretHasher } from '../../src/crypto/secret-hash.ts'
import { decodeSessionToken } from '../../src/managers/session-token.ts'
import { middlewareCase } from './middleware.ts'
import { eventsCase } from './events.ts'
import { dpopCase } from './dpop.ts'
import { es512Fixture, hs512Fixture, libraryClaims, pepper, sessionFixture, type AlgorithmFixture } from './fixtures.ts'

export interface Variant {
  /** 'raw' is the floor every other variant is compared with. */
  name: 'raw' | 'library' | 'jose' | 'hono' | 'hono (string secret)' | string
  run: () => Promise<unknown>
  /** Called once before timing: throws if the variant does not do the real, successful work. */
  check: (result: unknown) => boolean
  /** Called before each of the variant's slices, untimed: e.g. signs the single-use DPoP proofs it will send. */
  prepare?: () => Promise<void>
}

export interface Case {
  id: string
  title: string
  variants: Variant[]
  /** Slow cases (PBKDF2) get fewer samples. */
  slow?: boolean
}

const utf8 = new TextEncoder()
const text = new TextDecoder()
/** The name of the floor variant: verify + JSON.parse and nothing else. */
export const naiveMin = 'naive-min (verify + JSON.parse, no checks)'
const truthy = (r: unknown) => r !== null && r !== undefined && r !== false
const isString = (r: unknown) => typeof r === 'string' && r.length > 0

/** raw subtle.verify on prepared bytes, then each implementation validating the same token. */
function verifyVariants(alg: 'HS512' | 'ES512', f: AlgorithmFixture, params: AlgorithmIdentifier | EcdsaParams): Variant[] {
  return [
    { name: 'raw', run: () => crypto.subtle.verify(params, f.verifyKey, f.signature, f.signingInput), check: truthy },
    { name: 'library', run: () => f.manager.validateToken(f.token), check: truthy },
    { name: 'jose', run: () => jwtVerify(f.token, f.verifyKey, { algorithms: [alg] }), check: truthy },
    { name: 'hono', run: () => honoVerify(f.token, f.verifyKey, alg), check: truthy },
  ]
}

/** raw subtle.sign on prepared bytes, then each implementation signing the library's claims. */
function signCase(alg: 'HS512' | 'ES512', f: AlgorithmFixture, params: AlgorithmIdentifier | EcdsaParams): Case {
  const claims = libraryClaims()
  return {
    id: `${alg.toLowerCase()}-sign`,
    title: `${alg} sign`,
    variants: [
      { name: 'raw', run: () => crypto.subtle.sign(params, f.signKey, f.signingInput), check: truthy },
      { name: 'library', run: () => signJws(claims, f.signingKey), check: isString },
      { name: 'jose', run: () => new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).sign(f.signKey), check: isString },
      { name: 'hono', run: () => honoSign(claims, f.signKey, alg), check: isString },
    ],
  }
}

/** Builds keys and tokens, then the cases; every variant is checked to succeed before it is timed. */
export async function microCases(): Promise<Case[]> {
  const hs = await hs512Fixture()
  const es = await es512Fixture()
  const session = await sessionFixture()
  const ecdsa = { name: 'ECDSA', hash: 'SHA-512' }
  const pbkdf2 = (iterations: number) => new SecretHasher({ pepper, algorithm: { name: 'PBKDF2-SHA512', iterations } })
  const hmacHasher = new SecretHasher({ pepper })
  const [pbkdf2At10k, pbkdf2At100k] = [pbkdf2(10_000), pbkdf2(100_000)]
  const refreshSecret = crypto.getRandomValues(new Uint8Array(32))
  const pbkdf2Raw = async (iterations: number) => {
    const key = await crypto.subtle.importKey('raw', refreshSecret, 'PBKDF2', false, ['deriveBits'])
    return crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-512', salt: session.saltedSecret.slice(0, 16), iterations }, key, 512)
  }
  const timingSafe = (a: Uint8Array, b: Uint8Array) => {
    let d = a.length ^ b.length
    for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!
    return d === 0
  }

  return [
    {
      id: 'hs512-validate',
      title: 'HS512 validate',
      variants: [
        ...verifyVariants('HS512', hs, 'HMAC'),
        { name: 'hono (string secret)', run: () => honoVerify(hs.token, hs.secret, 'HS512'), check: truthy },
        // The floor of any JWT validator: split, decode signature and payload straight from the string,
        // verify, JSON.parse — nothing else (no header rules, no duplicate keys, no claims).
        {
          name: naiveMin,
          run: async () => {
            const token = hs.token
            const dot = token.lastIndexOf('.')
            const ok = await crypto.subtle.verify('HMAC', hs.verifyKey, decodeBase64Url(token.slice(dot + 1))!, utf8.encode(token.slice(0, dot)))
            return ok && JSON.parse(text.decode(decodeBase64Url(token.slice(token.indexOf('.') + 1, dot))!))
          },
          check: truthy,
        },
      ],
    },
    signCase('HS512', hs, 'HMAC'),
    {
      id: 'es512-validate',
      title: 'ES512 validate',
      variants: verifyVariants('ES512', es, ecdsa),
    },
    signCase('ES512', es, ecdsa),
    {
      id: 'es512-cache',
      title: 'ES512 validate, same token again (verified-token cache)',
      variants: [
        { name: 'raw', run: () => crypto.subtle.verify(ecdsa, es.verifyKey, es.signature, es.signingInput), check: truthy },
        { name: 'library (cache off)', run: () => es.manager.validateToken(es.token), check: truthy },
        { name: 'library (cache hit)', run: () => es.cachedManager.validateToken(es.token), check: truthy },
      ],
    },
    middlewareCase(hs),
    eventsCase(hs),
    await dpopCase(hs),
    {
      id: 'session-validate',
      title: 'Session validate minus DB (decode + hash + compare)',
      variants: [
        {
          name: 'raw',
          run: async () => timingSafe(new Uint8Array(await crypto.subtle.sign('HMAC', session.pepperKey, session.saltedSecret)), session.digest),
          check: (r) => r === true,
        },
        {
          name: 'library',
          run: async () => {
            const parts = decodeSessionToken(session.token)
            return parts && session.hasher.verify(parts.secret, session.storedHash)
          },
          check: (r) => r === 'current',
        },
      ],
    },
    {
      id: 'refresh-hash',
      title: 'Refresh-secret hash (HMAC vs PBKDF2)',
      slow: true,
      variants: [
        { name: 'raw', run: () => crypto.subtle.sign('HMAC', session.pepperKey, refreshSecret), check: truthy },
        { name: 'library HMAC-SHA512', run: () => hmacHasher.hash(refreshSecret), check: truthy },
        { name: 'raw PBKDF2 10k', run: () => pbkdf2Raw(10_000), check: truthy },
        { name: 'library PBKDF2 10k', run: () => pbkdf2At10k.hash(refreshSecret), check: truthy },
        { name: 'raw PBKDF2 100k', run: () => pbkdf2Raw(100_000), check: truthy },
        { name: 'library PBKDF2 100k', run: () => pbkdf2At100k.hash(refreshSecret), check: truthy },
      ],
    },
  ]
}

