// base64url and strict JSON: the two parsers every untrusted token goes through first.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeBase64Url, encodeBase64Url, utf8Decode, utf8Encode } from '../../src/crypto/index.ts'
import { parseJsonObject } from '../../src/crypto/json.ts'

describe('base64url', () => {
  it('round-trips any bytes without padding or +/', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = encodeBase64Url(bytes)
        expect(text).toMatch(/^[A-Za-z0-9_-]*$/)
        expect(decodeBase64Url(text)).toEqual(bytes)
      }),
    )
  })

  it('accepts exactly one spelling per byte string', () => {
    expect(decodeBase64Url('-_8')).toEqual(Uint8Array.of(251, 255))
    for (const bad of ['-_8=', '+/8', '-_ 8', '-_8\n', 'A', 'AB=C', '-_9', 'QQ', 'QR', '\u00e9', null, 42]) {
      // 'QR' decodes to 'A' with non-zero trailing bits: an alternative spelling of 'QQ', so refused.
      if (bad === 'QQ') expect(decodeBase64Url(bad)).toEqual(utf8Encode('A'))
      else expect(decodeBase64Url(bad)).toBeNull()
    }
  })
})

describe('UTF-8', () => {
  it('refuses invalid UTF-8 instead of substituting U+FFFD', () => {
    expect(utf8Decode(Uint8Array.of(0xc3, 0xa9))).toBe('é')
    expect(utf8Decode(Uint8Array.of(0xc3))).toBeNull()
    expect(utf8Decode(Uint8Array.of(0xff, 0xfe))).toBeNull()
  })
})

describe('parseJsonObject', () => {
  it('parses plain objects and nothing else', () => {
    expect(parseJsonObject('{"a":1,"b":[{"a":2},{"a":3}],"c":{"a":"}{\\"a\\":"}}')).toEqual({ a: 1, b: [{ a: 2 }, { a: 3 }], c: { a: '}{"a":' } })
    for (const notObject of ['[]', '1', '"x"', 'null', '{', '{"a":1}x', '']) expect(parseJsonObject(notObject)).toBeNull()
  })

  it('rejects duplicate keys at any depth, also when spelled with escapes', () => {
    expect(parseJsonObject('{"sub":"a","sub":"b"}')).toBeNull()
    expect(parseJsonObject('{"sub":"a","s\\u0075b":"b"}')).toBeNull()
    expect(parseJsonObject('{"x":{"k":1,"k":2}}')).toBeNull()
    expect(parseJsonObject('{"x":[{"k":1,"k":2}]}')).toBeNull()
  })

  it('rejects __proto__ keys and nesting deeper than 32', () => {
    expect(parseJsonObject('{"__proto__":{"admin":true}}')).toBeNull()
    expect(parseJsonObject(`{"a":${'['.repeat(40)}${']'.repeat(40)}}`)).toBeNull()
    expect(parseJsonObject(`{"a":${'['.repeat(20)}${']'.repeat(20)}}`)).not.toBeNull()
    expect(parseJsonObject(`{"a":${'['.repeat(100_000)}`)).toBeNull()
  })
})
