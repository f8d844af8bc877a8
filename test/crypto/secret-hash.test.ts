// Peppered secret hashing: formats, fallback peppers, algorithm changes, limits, constant-time compare.
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/index.ts'
import { randomBytes, SecretHasher, timingSafeEqual } from '../../src/crypto/index.ts'

const pepper = 'primary-pepper-0123456789'
const oldPepper = 'old-pepper-0123456789'

describe('SecretHasher', () => {
  it('verifies its own hashes, with a fresh salt each time, and nothing else', async () => {
    const hasher = new SecretHasher({ pepper })
    const secret = randomBytes(32)
    const [a, b] = [await hasher.hash(secret), await hasher.hash(secret)]
    expect(timingSafeEqual(a, b)).toBe(false)
    expect(await hasher.verify(secret, a)).toBe('current')
    expect(await hasher.verify(randomBytes(32), a)).toBeNull()
    expect(await new SecretHasher({ pepper: oldPepper }).verify(secret, a)).toBeNull()
  })

  it('accepts fallback peppers as outdated, so callers re-hash under the primary', async () => {
    const secret = randomBytes(32)
    const stored = await new SecretHasher({ pepper: oldPepper }).hash(secret)
    expect(await new SecretHasher({ pepper, fallbackPeppers: [oldPepper] }).verify(secret, stored)).toBe('outdated')
  })

  it('reads PBKDF2 hashes and reports a changed algorithm as outdated', async () => {
    const pbkdf2 = new SecretHasher({ pepper, algorithm: { name: 'PBKDF2-SHA512', iterations: 1_000 } })
    await pbkdf2.ready()
    const secret = randomBytes(16)
    const stored = await pbkdf2.hash(secret)
    expect(await pbkdf2.verify(secret, stored)).toBe('current')
    expect(await new SecretHasher({ pepper }).verify(secret, stored)).toBe('outdated')
    expect(await new SecretHasher({ pepper, algorithm: { name: 'PBKDF2-SHA512', iterations: 2_000 } }).verify(secret, stored)).toBe('outdated')
  })

  it('caps PBKDF2 at the 100 000 iterations Workers allow', () => {
    expect(() => new SecretHasher({ pepper, algorithm: { name: 'PBKDF2-SHA512', iterations: 100_001 } })).toThrow(ConfigError)
    expect(() => new SecretHasher({ pepper, algorithm: { name: 'PBKDF2-SHA512', iterations: 999 } })).toThrow(ConfigError)
    expect(() => new SecretHasher({ pepper, algorithm: { name: 'SHA1' } as never })).toThrow(ConfigError)
  })

  it('answers null for malformed stored values', async () => {
    const hasher = new SecretHasher({ pepper })
    const secret = randomBytes(32)
    const stored = await hasher.hash(secret)
    for (const bad of [new Uint8Array(0), stored.slice(0, -1), Uint8Array.of(2, ...stored.subarray(1)), Uint8Array.of(1, 9, ...stored.subarray(2))]) {
      expect(await hasher.verify(secret, bad)).toBeNull()
    }
  })
})

describe('timingSafeEqual', () => {
  it('compares whole byte strings', () => {
    expect(timingSafeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3))).toBe(true)
    expect(timingSafeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4))).toBe(false)
    expect(timingSafeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 3))).toBe(false)
  })
})
