// The adversarial token battery (RFC 8725 and the usual JWT/session attacks), as data: each attack is
// a name and the input an attacker would send. Many are signed with the REAL key and differ from a valid
// token in exactly one rule, so a pass proves that rule is enforced (the controls prove the rest).
import { claims, es512KeyMaterial, forgeJws, nonCanonical, type Signer } from '../support/forge.ts'
import type { AuthSuccess } from '../../src/index.ts'

export interface AttackContext {
  nowMs: number
  hmacKey: string
  otherHmacKey: string
  es: Awaited<ReturnType<typeof es512KeyMaterial>>
  attacker: Awaited<ReturnType<typeof es512KeyMaterial>>
  /** The kid (RFC 7638 thumbprint) our ES512 key signs with. */
  esKid: string
  /** The JWKS entry we publish for it, exactly as served. */
  publishedJwk: string
  issuer: string
  /** Real tokens, issued by the managers under test. */
  hsPair: AuthSuccess
  esPair: AuthSuccess
  session: AuthSuccess
  otherSession: AuthSuccess
  /** A session issued by another deployment (different pepper) into the same database. */
  foreignSession: AuthSuccess
}

/** The managers the battery runs against. */
export const targetNames = ['jwt HS512', 'jwt ES512', 'jwt HS512 with iss', 'sessions', 'multi HS512 + sessions', 'multi ES512 + sessions'] as const
export type TargetName = (typeof targetNames)[number]

export interface Attack {
  category: string
  name: string
  input: unknown
  /** Only these targets: for the others the input is a legitimate token (e.g. no `iss` where none is configured). */
  only?: readonly TargetName[]
}

const hs = { alg: 'HS512', typ: 'JWT' }

function mutateChar(text: string, index: number): string {
  const c = text[index]!
  return text.slice(0, index) + (c === 'A' ? 'B' : 'A') + text.slice(index + 1)
}

/** Session tokens are prefix + base64url(version ‖ 16-byte id ‖ secret). */
function sessionParts(token: string) {
  const prefix = token.slice(0, token.indexOf('_') + 1)
  const bytes = Uint8Array.from(atob(token.slice(prefix.length).replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))
  const encode = (b: Uint8Array) => prefix + btoa(String.fromCharCode(...b)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
  return { bytes, encode }
}

export async function buildAttacks(ctx: AttackContext): Promise<Attack[]> {
  const attacks: Attack[] = []
  const issued = [ctx.hsPair.token, ctx.esPair.token, ctx.session.token, ctx.otherSession.token]
  const add = (category: string, name: string, input: unknown, only?: readonly TargetName[]) => {
    // A mutation that happens to change nothing (e.g. replacing a character the token lacks) is no attack.
    if (issued.includes(input as string)) return
    attacks.push({ category, name, input, ...(only && { only }) })
  }
  const withoutIssuer = targetNames.filter((n) => n !== 'jwt HS512 with iss')
  const real: Signer = { hmac: ctx.hmacKey }
  const now = Math.floor(ctx.nowMs / 1000)
  const valid = claims(ctx.nowMs)
  const [h, p, s] = ctx.hsPair.token.split('.') as [string, string, string]
  const [eh, ep, es] = ctx.esPair.token.split('.') as [string, string, string]

  // alg: none, in every spelling, with no signature, an empty one, and the original one.
  for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
    add('alg none', `${alg}, no signature`, await forgeJws({ alg, typ: 'JWT' }, valid, { signature: '' }))
    add('alg none', `${alg}, original signature kept`, await forgeJws({ alg, typ: 'JWT' }, valid, { signature: s }))
    add('alg none', `${alg}, two parts`, (await forgeJws({ alg }, valid, { signature: '' })).slice(0, -1))
  }
  for (const alg of ['HS256', 'hs512', 'HS512 ', 'ES256', 'RS512', 'PS512', 'EdDSA', null, ['HS512'], undefined]) {
    add('alg none', `alg ${JSON.stringify(alg)} signed with the real key`, await forgeJws({ alg, typ: 'JWT' }, valid, real))
  }

  // HS512 MACed with the ES512 public key's bytes: the classic algorithm confusion (RFC 8725 §2.1).
  const publicForms: Record<string, Uint8Array | string> = {
    'SPKI DER': ctx.es.spki, 'SPKI PEM': ctx.es.pem, 'SPKI PEM + newline': `${ctx.es.pem}\n`, 'JWK JSON': JSON.stringify(ctx.es.jwk),
    'published JWKS entry': ctx.publishedJwk, 'raw point 04‖x‖y': ctx.es.raw, 'x‖y': ctx.es.xy, 'kid': ctx.esKid,
  }
  for (const [form, key] of Object.entries(publicForms)) {
    add('ES512 public key as HMAC secret', form, await forgeJws(hs, valid, { hmac: key }))
    add('ES512 public key as HMAC secret', `${form}, with our kid`, await forgeJws({ ...hs, kid: ctx.esKid }, valid, { hmac: key }))
  }

  // ES512 ↔ HS512 swaps of real tokens.
  const relabel = (alg: string, header: string) => JSON.stringify({ ...JSON.parse(atob(header.replace(/-/g, '+').replace(/_/g, '/'))), alg })
  add('ES512 ↔ HS512 swap', 'HS512 token relabelled ES512', `${btoa(relabel('ES512', h)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')}.${p}.${s}`)
  add('ES512 ↔ HS512 swap', 'ES512 token relabelled HS512', `${btoa(relabel('HS512', eh)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')}.${ep}.${es}`)
  add('ES512 ↔ HS512 swap', 'HS512 header on an ES512 signature', `${h}.${ep}.${es}`)
  add('ES512 ↔ HS512 swap', 'ES512 header on an HS512 signature', `${eh}.${p}.${s}`)
  add('ES512 ↔ HS512 swap', 'ES512 signed by the HS512 key', await forgeJws({ alg: 'ES512', typ: 'JWT', kid: ctx.esKid }, valid, real))

  // kid: the attacker's own key, key injection headers, and path/SQL injection with guessable keys.
  const attackerKey = { ecdsa: ctx.attacker.privateKey }
  add('kid and key injection', 'attacker ES512 key with our kid', await forgeJws({ alg: 'ES512', typ: 'JWT', kid: ctx.esKid }, valid, attackerKey))
  add('kid and key injection', 'attacker ES512 key, no kid', await forgeJws({ alg: 'ES512', typ: 'JWT' }, valid, attackerKey))
  add('kid and key injection', 'embedded jwk of the attacker', await forgeJws({ alg: 'ES512', jwk: ctx.attacker.jwk }, valid, attackerKey))
  add('kid and key injection', 'jku to the attacker', await forgeJws({ alg: 'ES512', jku: 'https://evil.example/jwks.json', kid: 'evil' }, valid, attackerKey))
  add('kid and key injection', 'x5u to the attacker', await forgeJws({ alg: 'ES512', x5u: 'https://evil.example/cert.pem' }, valid, attackerKey))
  add('kid and key injection', 'x5c of the attacker', await forgeJws({ alg: 'ES512', x5c: [btoa(String.fromCharCode(...ctx.attacker.spki))] }, valid, attackerKey))
  add('kid and key injection', 'kid path traversal, empty HMAC key', await forgeJws({ ...hs, kid: '../../../../../../dev/null' }, valid, { hmac: '' }))
  add('kid and key injection', 'kid SQL injection, HMAC key "key"', await forgeJws({ ...hs, kid: "x' UNION SELECT 'key' --" }, valid, { hmac: 'key' }))
  add('kid and key injection', 'kid naming the key as its own secret', await forgeJws({ ...hs, kid: 'attacker' }, valid, { hmac: 'attacker' }))
  for (const kid of [42, null, {}, ['a'], 'k'.repeat(257)]) {
    add('kid and key injection', `kid ${JSON.stringify(kid).slice(0, 12)} signed with the real key`, await forgeJws({ ...hs, kid }, valid, real))
  }

  // Header fields we would have to understand: crit, b64; and typ other than JWT. All with the real key.
  for (const header of [{ crit: ['exp'] }, { crit: [] }, { crit: ['b64'], b64: false }, { b64: false }, { crit: 'exp' }]) {
    add('crit and b64', JSON.stringify(header), await forgeJws({ ...hs, ...header }, valid, real))
  }
  for (const typ of ['at+jwt', 'JWS', 'JOSE', '', 'JWT ', 'application/jwt', 42, null, ['JWT']]) {
    add('wrong typ', `typ ${JSON.stringify(typ)}`, await forgeJws({ alg: 'HS512', typ }, valid, real))
  }

  // Claims, each wrong in one way, signed with the real key.
  const wrongClaims: [string, Record<string, unknown>][] = [
    ['iss on a token for a manager without issuer', { iss: ctx.issuer }],
    ['aud present', { aud: 'some-api' }],
    ['expired', { exp: now - 6 }],
    ['expired exactly at the tolerance', { exp: now - 5 }],
    ['nbf in the future', { nbf: now + 6 }],
    ['iat in the future', { iat: now + 6 }],
    ['no exp', { exp: undefined }],
    ['no iat', { iat: undefined }],
    ['exp as a string', { exp: String(now + 600) }],
    ['exp null', { exp: null }],
    ['exp true', { exp: true }],
    ['exp in an array', { exp: [now + 600] }],
    ['nbf as a string', { nbf: String(now - 10) }],
    ['no sub', { sub: undefined }],
    ['empty sub', { sub: '' }],
    ['numeric sub', { sub: 42 }],
    ['no jti', { jti: undefined }],
    ['no refresh token id', { 'dev.serverpod.refreshTokenId': undefined }],
    ['refresh token id not a uuid', { 'dev.serverpod.refreshTokenId': "1' or '1'='1" }],
    ['refresh token id in upper case', { 'dev.serverpod.refreshTokenId': crypto.randomUUID().toUpperCase() }],
    ['scopes as a string', { 'dev.serverpod.scopeNames': 'admin' }],
    ['scopes with a non-string', { 'dev.serverpod.scopeNames': ['admin', 1] }],
    ['scopes as an object', { 'dev.serverpod.scopeNames': { 0: 'admin' } }],
  ]
  for (const [name, overrides] of wrongClaims) {
    add('claims', name, await forgeJws(hs, claims(ctx.nowMs, overrides), real), 'iss' in overrides ? withoutIssuer : undefined)
  }
  add('claims', 'exp overflowing to Infinity', await forgeJws(hs, JSON.stringify(valid).replace(/"exp":\d+/, '"exp":1e400'), real))
  for (const iss of [undefined, 'https://evil.example', [ctx.issuer], `${ctx.issuer}/`, ctx.issuer.toUpperCase(), null]) {
    add('wrong iss', `iss ${JSON.stringify(iss)}`, await forgeJws(hs, claims(ctx.nowMs, { iss }), real), ['jwt HS512 with iss'])
  }
  add('wrong iss', 'a token of another deployment (other HS512 key)', await forgeJws(hs, claims(ctx.nowMs, { iss: ctx.issuer }), { hmac: ctx.otherHmacKey }))

  // Duplicate keys: JSON.parse would keep the last one (RFC 8725 §3.10 says reject).
  const json = JSON.stringify(valid).slice(1, -1)
  add('duplicate keys', 'sub twice', await forgeJws(hs, `{"sub":"admin",${json}}`, real))
  add('duplicate keys', 'expired exp, then a valid exp', await forgeJws(hs, `{"exp":${now - 3600},${json}}`, real))
  add('duplicate keys', 'sub spelled with an escape', await forgeJws(hs, `{"s\\u0075b":"admin",${json}}`, real))
  add('duplicate keys', 'alg none then HS512 in the header', await forgeJws('{"alg":"none","alg":"HS512","typ":"JWT"}', valid, real))
  add('duplicate keys', 'the same alg twice', await forgeJws('{"alg":"HS512","alg":"HS512"}', valid, real))
  add('duplicate keys', '__proto__ claim', await forgeJws(hs, `{"__proto__":{"admin":true},${json}}`, real))

  // Structure: dots, padding, characters outside base64url, non-canonical spellings of the same bytes.
  const t = ctx.hsPair.token
  for (const [name, value] of [
    ['trailing dot', `${t}.`], ['leading dot', `.${t}`], ['double dot', `${h}..${p}.${s}`], ['four parts', `${t}.${s}`],
    ['two parts', `${h}.${p}`], ['only dots', '....'], ['empty parts', '..'],
    ['padded signature', `${s}=`], ['padded signature ==', `${h}.${p}.${s}==`], ['padded header', `${h}=.${p}.${s}`], ['padded payload', `${h}.${p}==.${s}`],
    ['standard base64 alphabet', t.replace(/-/g, '+').replace(/_/g, '/')], ['space inside', `${h}.${p} .${s}`], ['newline inside', `${h}.${p}\n.${s}`],
    ['tab inside', `${h}\t.${p}.${s}`], ['leading space', ` ${t}`], ['trailing newline', `${t}\n`], ['percent-encoded first signature character', `${h}.${p}.%${s.charCodeAt(0).toString(16)}${s.slice(1)}`],
    ['zero-width space', `${h}.${p}.\u200b${s}`], ['fullwidth letter', `${h}.${p}.${s.slice(0, -1)}Ａ`], ['NUL byte', `${t}\u0000`],
  ] as const) add('structure', name, value)
  add('structure', 'one signature character changed', `${h}.${p}.${mutateChar(s, 10)}`)
  for (const [name, part] of [['signature', 2], ['header', 0], ['payload', 1]] as const) {
    const parts = t.split('.')
    const spelled = nonCanonical(parts[part]!)
    if (spelled) add('structure', `non-canonical ${name} (same bytes)`, Object.assign([...parts], { [part]: spelled }).join('.'))
  }

  // Size and depth: a megabyte of token, JSON nested far beyond any real token.
  const megabyte = 1 << 20
  add('size and depth', '1 MB of letters', 'a'.repeat(megabyte))
  add('size and depth', '1 MB payload, signed', await forgeJws(hs, { ...valid, pad: 'x'.repeat(megabyte) }, real))
  add('size and depth', '1 MB of dots', '.'.repeat(megabyte))
  add('size and depth', '1 MB session-shaped', `etmst_${'A'.repeat(megabyte)}`)
  add('size and depth', '1 MB refresh-shaped', `etmrt_${'A'.repeat(megabyte)}`)
  add('size and depth', 'header nested 3000 deep', await forgeJws(`{"alg":"HS512","x":${'['.repeat(3000)}${']'.repeat(3000)}}`, valid, real))
  add('size and depth', 'payload nested 3000 deep, signed', await forgeJws(hs, `{${json},"x":${'['.repeat(3000)}${']'.repeat(3000)}}`, real))
  add('size and depth', 'payload objects nested 500 deep, signed', await forgeJws(hs, `{${json},"x":${'{"a":'.repeat(500)}1${'}'.repeat(500)}}`, real))

  // Session tokens: the right id with a wrong secret, and other near misses.
  const session = sessionParts(ctx.session.token)
  const other = sessionParts(ctx.otherSession.token)
  const withBytes = (change: (b: Uint8Array) => Uint8Array) => session.encode(change(session.bytes.slice()))
  add('session near misses', 'right id, first secret byte flipped', withBytes((b) => ((b[17]! ^= 1), b)))
  add('session near misses', 'right id, last secret byte flipped', withBytes((b) => ((b[b.length - 1]! ^= 0x80), b)))
  add('session near misses', 'right id, secret of zeros', withBytes((b) => (b.fill(0, 17), b)))
  add('session near misses', 'right id, secret truncated to 16 bytes', withBytes((b) => b.slice(0, 17 + 16)))
  add('session near misses', 'right id, one byte appended', withBytes((b) => Uint8Array.of(...b, 0)))
  add('session near misses', 'right id, version 2', withBytes((b) => ((b[0] = 2), b)))
  add('session near misses', "another session's id with this secret", other.encode(Uint8Array.of(...other.bytes.subarray(0, 17), ...session.bytes.subarray(17))))
  add('session near misses', 'prefix in upper case', ctx.session.token.replace('etmst_', 'ETMST_'))
  add('session near misses', 'a session of another deployment (other pepper)', ctx.foreignSession.token)
  const sessionBody = ctx.session.token.slice(ctx.session.token.indexOf('_') + 1)
  const canonicalBreak = nonCanonical(sessionBody)
  if (canonicalBreak) add('session near misses', 'non-canonical spelling (same bytes)', `etmst_${canonicalBreak}`)

  // A token of one kind where another is expected.
  add('wrong token kind', 'refresh token as access token', ctx.hsPair.refreshToken)
  add('wrong token kind', 'ES512 refresh token as access token', ctx.esPair.refreshToken)
  add('wrong token kind', 'refresh token with the session prefix', ctx.hsPair.refreshToken!.replace('etmrt_', 'etmst_'))
  add('wrong token kind', 'session token with the refresh prefix', ctx.session.token.replace('etmst_', 'etmrt_'))

  // Not strings at all: a lenient `String(token)` would turn some of these into a valid token.
  for (const [name, value] of [
    ['undefined', undefined], ['null', null], ['number', 42], ['object', {}], ['array holding a valid token', [t]],
    ['object whose toString is a valid token', { toString: () => t }], ['String object of a valid token', new String(t)],
    ['bytes of a valid token', new TextEncoder().encode(t)], ['symbol', Symbol('token')],
  ] as const) add('not a string', name, value)

  return attacks
}
