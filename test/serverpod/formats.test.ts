// serverpodStore's formats in isolation: the Argon2id PHC hasher, the session hasher and the token codecs.
// (RFC 9106's Argon2id vector runs in the conformance suite, on every runtime.)
import { describe, expect, it } from 'vitest'
import { Argon2idHasher, checkArgon2Parameters } from '../../src/serverpod/argon2.ts'
import { ServerpodSessionHasher, packSessionHash } from '../../src/serverpod/hashes.ts'
import {
  decodeServerpodRefreshToken, decodeServerpodSessionToken, encodeServerpodRefreshToken, encodeServerpodSessionToken,
} from '../../src/serverpod/tokens.ts'
import { ServerpodReference } from './reference.ts'

const utf8 = (text: string) => new TextEncoder().encode(text)
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)
const secret = crypto.getRandomValues(new Uint8Array(64))
const peppers = { pepper: 'primary-pepper', fallbackPeppers: ['old-pepper-1'] }
const serverpod = { memory: 4096, iterations: 3, lanes: 2 }

describe('Argon2id PHC hashes', () => {
  const hasher = new Argon2idHasher(peppers, serverpod)
  const reference = new ServerpodReference(async () => [], { jwtHmacSha512PrivateKey: 'k'.repeat(64), refreshTokenHashPepper: 'primary-pepper', sessionKeyHashPepper: 's'.repeat(10), lanes: 2 })

  it('writes what Serverpod writes and reads what Serverpod writes', async () => {
    const ours = text(await hasher.hash(secret))
    expect(ours).toMatch(/^\$argon2id\$v=19\$m=4096,t=3,p=2\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/)
    expect(reference.argon2Verify(secret, ours)).toBe(true)
    expect(await hasher.verify(secret, utf8(reference.argon2Hash(secret)))).toBe('current')
  })

  it('verifies with the parameters each hash names, and fallback peppers as outdated', async () => {
    const cheap = text(await new Argon2idHasher(peppers, { memory: 64, iterations: 1, lanes: 1 }).hash(secret))
    expect(cheap).toContain('$m=64,t=1,p=1$')
    expect(await hasher.verify(secret, utf8(cheap))).toBe('outdated')
    const old = await new Argon2idHasher({ pepper: 'old-pepper-1', fallbackPeppers: [] }, serverpod).hash(secret)
    expect(await hasher.verify(secret, old)).toBe('outdated')
    expect(await hasher.verify(secret.map((b) => b ^ 1), old)).toBeNull()
  })

  it('treats malformed or unbounded stored strings as no match, quickly', async () => {
    const good = text(await hasher.hash(secret))
    for (const bad of [good.replace('m=4096', 'm=4194304'), good.replace('t=3', 't=99'), good.replace('argon2id', 'argon2i'),
      good.replace('v=19', 'v=20'), good.slice(0, -3), `${good}$x`, '', 'not a hash']) {
      const started = performance.now()
      expect(await hasher.verify(secret, utf8(bad))).toBeNull()
      expect(performance.now() - started).toBeLessThan(500)
    }
  })

  it('bounds the Argon2 work of one verification, whatever parameters the stored row names', async () => {
    const single = new Argon2idHasher({ pepper: 'primary-pepper', fallbackPeppers: [] }, serverpod)
    const budget = 4 * 4096 * 3 // max(4, peppers) × Serverpod's cost
    const hashAt = async (pepper: string, memory: number, iterations: number) =>
      new Argon2idHasher({ pepper, fallbackPeppers: [] }, { memory, iterations, lanes: 1 }).hash(secret)
    // The right secret under a hash that costs the whole budget verifies; one pass more and it is malformed.
    expect(await single.verify(secret, await hashAt('primary-pepper', 4096, budget / 4096))).toBe('outdated')
    expect(await single.verify(secret, await hashAt('primary-pepper', 4096, budget / 4096 + 1))).toBeNull()
    // The budget spans peppers: a fallback-pepper hash costing half of it is reached; costing more, it is not tried.
    expect(await hasher.verify(secret, await hashAt('old-pepper-1', 4096, budget / 4096 / 2))).toBe('outdated')
    expect(await hasher.verify(secret, await hashAt('old-pepper-1', 4096, budget / 4096 / 2 + 1))).toBeNull()
  }, 60_000)

  it('refuses parameters outside the bounds it verifies', () => {
    expect(() => checkArgon2Parameters({ memory: 4, lanes: 1 })).toThrow(/memory/)
    expect(() => checkArgon2Parameters({ iterations: 0 })).toThrow(/iterations/)
    expect(checkArgon2Parameters({ lanes: 4 })).toEqual({ memory: 4096, iterations: 3, lanes: 4 })
  })
})

describe('session key hashes', () => {
  const hasher = new ServerpodSessionHasher({ ...peppers, saltLength: 16 })
  const sha512 = async (...parts: Uint8Array[]) => new Uint8Array(await crypto.subtle.digest('SHA-512', Uint8Array.from(parts.flatMap((p) => [...p]))))

  it('is 0x01 ‖ SHA-512(secret ‖ salt ‖ pepper) with a 16-byte salt', async () => {
    const packed = await hasher.hash(secret)
    const salt = packed.subarray(1, 17)
    expect([packed[0], packed.length, packed[17]]).toEqual([16, 1 + 16 + 65, 1])
    expect(packed.subarray(18)).toEqual(await sha512(secret, salt, utf8('primary-pepper')))
    expect(await hasher.verify(secret, packed)).toBe('current')
  })

  it('accepts the legacy saltless hash and fallback peppers as outdated, refuses unknown versions', async () => {
    const salt = new Uint8Array(16)
    expect(await hasher.verify(secret, packSessionHash(salt, await sha512(secret, utf8('primary-pepper'))))).toBe('outdated')
    const fallback = Uint8Array.of(1, ...(await sha512(secret, salt, utf8('old-pepper-1'))))
    expect(await hasher.verify(secret, packSessionHash(salt, fallback))).toBe('outdated')
    const future = Uint8Array.of(2, ...(await sha512(secret, salt, utf8('primary-pepper'))))
    expect(await hasher.verify(secret, packSessionHash(salt, future))).toBeNull()
    expect(await hasher.verify(secret, new Uint8Array(0))).toBeNull()
  })
})

describe('token strings', () => {
  const id = '0190f1a2-3b4c-7d5e-8f60-718293a4b5c6'
  it('round-trip Serverpod refresh tokens and refuse near misses', () => {
    const parts = { id, fixedSecret: secret.slice(0, 16), rotatingSecret: secret }
    const token = encodeServerpodRefreshToken(parts)
    expect(token).toBe(ServerpodReference.refreshTokenString(id, parts.fixedSecret, parts.rotatingSecret))
    expect(decodeServerpodRefreshToken(token)).toEqual(parts)
    const [, a, b, c] = token.split(':')
    for (const bad of [`sajrt:${a}:${b}`, `sajrt:${a}:${b}:${c}:`, `sajrtx${token.slice(5)}`, `sajrt:${a}:${b}:-${c!.slice(1)}`,
      `sajrt:${a!.slice(4)}:${b}:${c}`, `sajrt:${a}::${c}`, 'etmrt_x', 42]) {
      expect(decodeServerpodRefreshToken(bad)).toBeNull()
    }
  })

  it('round-trip Serverpod session tokens (`sas` prefix, padded base64url)', () => {
    const token = encodeServerpodSessionToken(id, secret.slice(0, 32))
    expect(token.startsWith('c2Fz')).toBe(true)
    expect(decodeServerpodSessionToken(token)).toEqual({ id, secret: secret.slice(0, 32) })
    expect(encodeServerpodSessionToken(id, secret.slice(0, 21)).endsWith('=')).toBe(true)
    expect(decodeServerpodSessionToken(encodeServerpodSessionToken(id, secret.slice(0, 21)))?.secret).toEqual(secret.slice(0, 21))
    for (const bad of [token.slice(0, 30), `x${token}`, `c2Fz+${token.slice(5)}`, null]) expect(decodeServerpodSessionToken(bad)).toBeNull()
  })
})
