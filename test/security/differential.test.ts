// The single-pass validator (JwtTokenManager.validateToken and createAccessTokenVerifier share it) against
// an independent, deliberately plain reference written here: split, regex-checked base64url re-encoded for
// canonical form, a recursive-descent JSON parser that refuses duplicate keys, `__proto__` and deep
// nesting, then every header and claim rule spelled out. Thousands of tokens — signed with the REAL key
// (so they reach the payload and claim rules) and mutated (so they stress the structure) — must get
// exactly the same answer from all three.
import fc from 'fast-check'
import { beforeAll, expect, it } from 'vitest'
import { initializeAuthServices, JwtAlgorithm, JwtConfig, JwtTokenManager, type AuthenticationInfo, type TokenStore } from '../../src/index.ts'
import { createAccessTokenVerifier } from '../../src/jwt/index.ts'
import { es512KeyMaterial, forgeJws } from '../support/forge.ts'
import { mutate } from '../support/fuzz.ts'
import { secrets } from '../support/auth.ts'

interface RefKey { alg: 'HS512' | 'ES512'; key: CryptoKey; kid?: string }

const tolerance = 5
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

function b64urlDecode(part: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(part) || part.length % 4 === 1) return null
  const bytes = Uint8Array.from(atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=')), (c) => c.charCodeAt(0))
  const again = btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
  return again === part ? bytes : null // only the canonical spelling
}

/** JSON by recursive descent: any duplicate key, `__proto__` key or nesting past 32 containers → throw. */
function strictJson(text: string): unknown {
  let i = 0
  const ws = () => { while (' \t\n\r'.includes(text[i] ?? 'x')) i++ }
  const fail = (): never => { throw new Error(`bad JSON at ${i}`) }
  const string = (): string => {
    const start = i
    i++
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1
    if (text[i] !== '"') fail()
    i++
    return JSON.parse(text.slice(start, i)) as string
  }
  const value = (depth: number): unknown => {
    ws()
    const c = text[i]
    if (c === '{' || c === '[') {
      if (depth >= 32) fail()
      i++
      ws()
      if (c === '[') {
        const items: unknown[] = []
        if (text[i] === ']') return i++, items
        for (;;) {
          items.push(value(depth + 1))
          ws()
          if (text[i] === ']') return i++, items
          if (text[i++] !== ',') fail()
        }
      }
      const seen = new Set<string>()
      const object: Record<string, unknown> = {}
      if (text[i] === '}') return i++, object
      for (;;) {
        ws()
        if (text[i] !== '"') fail()
        const key = string()
        if (seen.has(key) || key === '__proto__') fail()
        seen.add(key)
        ws()
        if (text[i++] !== ':') fail()
        Object.defineProperty(object, key, { value: value(depth + 1), enumerable: true, writable: true, configurable: true })
        ws()
        if (text[i] === '}') return i++, object
        if (text[i++] !== ',') fail()
      }
    }
    if (c === '"') return string()
    const literal = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i))
    if (!literal) fail()
    i += literal![0].length
    return JSON.parse(literal![0])
  }
  const result = value(0)
  ws()
  if (i !== text.length) fail()
  return result
}

function jsonObject(bytes: Uint8Array): Record<string, unknown> | null {
  try {
    const value = strictJson(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes))
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null
  } catch {
    return null
  }
}

async function reference(token: unknown, keys: RefKey[], nowMs: number, issuer?: string): Promise<AuthenticationInfo | null> {
  if (typeof token !== 'string' || token.length > 16_384) return null
  const parts = token.split('.')
  if (parts.length !== 3) return null
  const headerBytes = b64urlDecode(parts[0]!)
  const header = headerBytes && jsonObject(headerBytes)
  if (!header || (header.alg !== 'HS512' && header.alg !== 'ES512')) return null
  for (const forbidden of ['crit', 'b64', 'jku', 'x5u', 'jwk']) if (forbidden in header) return null
  if (header.typ !== undefined && (typeof header.typ !== 'string' || header.typ.toUpperCase() !== 'JWT')) return null
  if (header.kid !== undefined && (typeof header.kid !== 'string' || header.kid.length > 256)) return null
  const signature = b64urlDecode(parts[2]!)
  if (!signature || signature.length !== (header.alg === 'HS512' ? 64 : 132)) return null
  const sameAlg = keys.filter((k) => k.alg === header.alg)
  const ordered = [...sameAlg.filter((k) => k.kid !== undefined && k.kid === header.kid), ...sameAlg.filter((k) => k.kid === undefined || k.kid !== header.kid)].slice(0, 8)
  const input = new TextEncoder().encode(`${parts[0]}.${parts[1]}`)
  let verified = false
  for (const k of ordered) {
    if (await crypto.subtle.verify(k.alg === 'HS512' ? 'HMAC' : { name: 'ECDSA', hash: 'SHA-512' }, k.key, signature as Uint8Array<ArrayBuffer>, input)) {
      verified = true
      break
    }
  }
  if (!verified) return null
  const payloadBytes = b64urlDecode(parts[1]!)
  const p = payloadBytes && jsonObject(payloadBytes)
  if (!p) return null
  const now = nowMs / 1000
  const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)
  if (typeof p.sub !== 'string' || p.sub === '' || typeof p.jti !== 'string' || p.aud !== undefined) return null
  if (!num(p.exp) || !num(p.iat) || p.exp + tolerance <= now || p.iat - tolerance > now) return null
  if (p.nbf !== undefined && (!num(p.nbf) || p.nbf - tolerance > now)) return null
  if (p.iss !== issuer) return null
  const authId = p['dev.serverpod.refreshTokenId']
  if (typeof authId !== 'string' || !uuid.test(authId)) return null
  const scopes = p['dev.serverpod.scopeNames'] ?? []
  if (!Array.isArray(scopes) || scopes.some((s) => typeof s !== 'string')) return null
  const registered = ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti']
  const extra = Object.fromEntries(Object.entries(p).filter(([k]) => !registered.includes(k) && !k.startsWith('dev.serverpod.')))
  return { userIdentifier: p.sub, scopes, authId, tokenIssuer: 'jwt', ...(Object.keys(extra).length > 0 && { extraClaims: extra }) }
}

// ---- Token generators: header and payload as TEXT, so duplicates, escapes and odd numbers survive. ----

const nowSeconds = () => Math.floor(Date.now() / 1000)
// Offsets at least 1 s away from every boundary (tolerance 5 s), so the clock never flips an answer.
const offset = fc.constantFrom(-7200, -7, -3, 0, 3, 7, 7200)
const headerText = fc.oneof(
  { weight: 12, arbitrary: fc.constant('{"alg":"ALG","typ":"JWT"}') },
  { weight: 6, arbitrary: fc.constant('{"alg":"ALG"}') },
  { weight: 8, arbitrary: fc.tuple(
    fc.constantFrom('"ALG"', '"ALG"', '"ALG"', '"HS512"', '"ES512"', '"none"', '"HS256"', '"hs512"', '512', 'null'),
    fc.constantFrom('', ',"typ":"JWT"', ',"typ":"jwt"', ',"typ":"at+jwt"', ',"typ":5', ',"kid":"k"', `,"kid":"${'x'.repeat(257)}"`, ',"kid":7',
      ',"crit":["exp"]', ',"b64":false', ',"jku":"u"', ',"jwk":{}', ',"x5u":"u"', ',"alg":"HS512"', ',"\\u0061lg":"HS512"', ',"__proto__":{}', ',"x":[[[1]]]'),
  ).map(([alg, extra]) => `{"alg":${alg}${extra}}`) },
  { weight: 1, arbitrary: fc.constantFrom('', '[]', '{"alg":"HS512"', '\ufeff{"alg":"HS512"}', ' {"alg":"HS512"} ', '{"alg":"HS512"}x') },
)
const claimPatch = fc.constantFrom(
  '', '', '', '', '', '', '', '', '', '', '', '', ',"sub":"again"', ',"s\\u0075b":"again"', ',"__proto__":{"admin":true}', ',"\\u005f_proto__":1', ',"aud":"x"', ',"iss":"https://issuer.example"',
  ',"nbf":NBF', ',"nbf":"1"', ',"exp":"EXP"', ',"deep":' + '['.repeat(31) + ']'.repeat(31), ',"deeper":' + '['.repeat(33) + ']'.repeat(33),
  ',"dev.serverpod.scopeNames":["a",1]', ',"dev.serverpod.scopeNames":"a"', ',"dev.serverpod.custom":1', ',"role":"é\\n\\"}{"', ',"n":1e400', ',"o":{"k":1,"k":2}',
)
const payloadText = fc.record({
  exp: offset, iat: offset, nbf: offset, patch: fc.array(claimPatch, { maxLength: 3 }),
  sub: fc.constantFrom('"user-1"', '"user-1"', '"ü"', '""', '7'), rid: fc.constantFrom('RID', 'RID', 'RID', 'RID_UPPER', '"not-a-uuid"', 'null'),
  scopes: fc.constantFrom('', ',"dev.serverpod.scopeNames":["admin","billing"]', ',"dev.serverpod.scopeNames":[]'),
  extra: fc.constantFrom('', ',"tenant":"acme"', ',"a":{"b":[1,{"c":null}]}'),
}).map(({ exp, iat, nbf, patch, sub, rid, scopes, extra }) => {
  const now = nowSeconds()
  const id = crypto.randomUUID()
  const refreshId = rid === 'RID' ? `"${id}"` : rid === 'RID_UPPER' ? `"${id.toUpperCase()}"` : rid
  const patched = patch.join('').replace('NBF', String(now + nbf)).replace('EXP', String(now + exp))
  return `{"sub":${sub},"iat":${now + iat},"exp":${now + exp + 600},"jti":"${crypto.randomUUID()}","dev.serverpod.refreshTokenId":${refreshId}${scopes}${extra}${patched}}`
})

let keys: RefKey[]
let manager: JwtTokenManager
let verifier: ReturnType<typeof createAccessTokenVerifier>
let esPrivate: CryptoKey

// The store's configuration (formats, users: unset here, so the defaults) may be read; any operation throws.
const readable = new Set<string | symbol>(['db', 'then', 'formats', 'authUsers'])
const untouchableStore = new Proxy({ db: null } as unknown as TokenStore, {
  get: (target, property) => (readable.has(property) ? Reflect.get(target, property) : () => { throw new Error('validation touched the store') }),
})

beforeAll(async () => {
  const es = await es512KeyMaterial()
  esPrivate = es.privateKey
  const algorithms = [JwtAlgorithm.hmacSha512(secrets.hmac), JwtAlgorithm.hmacSha512(secrets.otherHmac), JwtAlgorithm.ecdsaSha512({ publicKey: es.publicKey })]
  keys = (await Promise.all(algorithms.map((a) => a.keys()))).map((k) => k.verification)
  const config = new JwtConfig({ algorithm: algorithms[0]!, fallbackVerificationAlgorithms: algorithms.slice(1), refreshTokenHashPepper: secrets.refreshPepper, verifiedTokenCacheSize: 0 })
  manager = initializeAuthServices({ store: untouchableStore, tokenManagerBuilders: [config] }).getTokenManager(JwtTokenManager)
  verifier = createAccessTokenVerifier({ keys: [secrets.hmac, secrets.otherHmac, es.publicKey] })
  await Promise.all([manager.ready, verifier.ready])
})

async function agree(tokens: string[]) {
  let accepted = 0
  for (const token of tokens) {
    const expected = await reference(token, keys, Date.now())
    const [fromManager, fromVerifier] = await Promise.all([manager.validateToken(token), verifier(token)])
    expect({ token, result: fromManager }).toEqual({ token, result: expected })
    expect({ token, result: fromVerifier }).toEqual({ token, result: expected })
    if (expected) accepted++
  }
  return accepted
}

it('agrees with the reference on 4 000 tokens signed with the real keys, each breaking rules at random', async () => {
  const signer = fc.constantFrom<{ hmac: string } | { ecdsa: CryptoKey }>({ hmac: secrets.hmac }, { hmac: secrets.hmac }, { hmac: secrets.otherHmac }, { hmac: 'an-attackers-key-0123456789abcdef0123456789' }, { ecdsa: esPrivate })
  const samples = fc.sample(fc.tuple(headerText, payloadText, signer), { numRuns: 4_000, seed: 1301 })
  // ALG: the algorithm of the key that signs, so most tokens get past the signature to the payload rules.
  const tokens = await Promise.all(samples.map(([header, payload, key]) => forgeJws(header.replace('ALG', 'ecdsa' in key ? 'ES512' : 'HS512'), payload, key)))
  const accepted = await agree(tokens)
  // The battery reaches the claim rules: some tokens pass, most break a rule.
  expect(accepted).toBeGreaterThan(100)
  expect(accepted).toBeLessThan(tokens.length / 2)
}, 120_000)

it('agrees with the reference on 3 000 mutations of valid tokens (structure, encoding, signature)', async () => {
  const valid = await Promise.all([
    forgeJws('{"alg":"HS512","typ":"JWT"}', `{"sub":"u","iat":${nowSeconds()},"exp":${nowSeconds() + 600},"jti":"j","dev.serverpod.refreshTokenId":"${crypto.randomUUID()}","tenant":"t"}`, { hmac: secrets.hmac }),
    forgeJws('{"alg":"ES512","typ":"JWT"}', `{"sub":"u","iat":${nowSeconds()},"exp":${nowSeconds() + 600},"jti":"j","dev.serverpod.refreshTokenId":"${crypto.randomUUID()}"}`, { ecdsa: esPrivate }),
  ])
  const op = fc.record({
    kind: fc.constantFrom('bit', 'replace', 'insert', 'delete', 'truncate', 'duplicate', 'swap', 'case', 'splice') as fc.Arbitrary<'bit'>,
    at: fc.double({ min: 0, max: 0.999999, noNaN: true }), to: fc.double({ min: 0, max: 0.999999, noNaN: true }),
    char: fc.constantFrom('A', 'z', '0', '-', '_', '.', '=', '+', '/', ' ', 'é', '\u0000'),
  })
  const samples = fc.sample(fc.tuple(fc.constantFrom(0, 1), fc.array(op, { minLength: 1, maxLength: 3 })), { numRuns: 3_000, seed: 1302 })
  const tokens = samples.map(([which, ops]) => mutate(valid[which]!, ops, valid[1 - which]!))
  expect(await agree(valid)).toBe(2) // the controls pass
  await agree(tokens)
}, 120_000)
