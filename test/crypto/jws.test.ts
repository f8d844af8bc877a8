// JWS verification rules: algorithm bound to the key, strict header, kid preference, size limits.
import { describe, expect, it } from 'vitest'
import { importHmacSha512Key, maxJwsLength, signJws, verifyJws, verifyJwt, type JwsKey } from '../../src/crypto/index.ts'
import { forgeJws } from '../support/forge.ts'

const secret = 'k'.repeat(64)
const oldSecret = 'o'.repeat(64)
const forge = (header: object, payload: object, hmac = secret) => forgeJws(header, payload, { hmac })

describe('verifyJws / verifyJwt', async () => {
  const hs: JwsKey = { alg: 'HS512', key: await importHmacSha512Key(secret) }

  it('verifies what signJws signs, with the expected header', async () => {
    const token = await signJws({ sub: 'u' }, hs)
    expect(await verifyJwt(token, [hs])).toEqual({ header: { alg: 'HS512', typ: 'JWT' }, payload: { sub: 'u' } })
  })

  it('refuses alg none in any case, unknown algs, and algs the key is not bound to', async () => {
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) expect(await verifyJws(await forgeJws({ alg }, { sub: 'u' }, { signature: '' }), [hs])).toBeNull()
    for (const alg of ['HS256', 'RS512', 'ES512', 'hs512']) expect(await verifyJws(await forge({ alg }, { sub: 'u' }), [hs])).toBeNull()
  })

  it('refuses crit, non-JWT typ, embedded keys and key URLs', async () => {
    for (const extra of [{ crit: ['exp'] }, { typ: 'at+jwt' }, { typ: 5 }, { jku: 'https://evil.example' }, { jwk: {} }, { x5u: 'x' }, { b64: false }]) {
      expect(await verifyJws(await forge({ alg: 'HS512', ...extra }, { sub: 'u' }), [hs])).toBeNull()
    }
    expect(await verifyJws(await forge({ alg: 'HS512', typ: 'jwt' }, { sub: 'u' }), [hs])).not.toBeNull()
  })

  it('tries the key whose kid matches first, falls back to the others, and never a key of another alg', async () => {
    const keys: JwsKey[] = [{ ...hs, kid: 'new' }, { alg: 'HS512', key: await importHmacSha512Key(oldSecret), kid: 'old' }]
    expect(await verifyJws(await forge({ alg: 'HS512', kid: 'old' }, {}, oldSecret), keys)).not.toBeNull()
    expect(await verifyJws(await forge({ alg: 'HS512', kid: 'unknown' }, {}, oldSecret), keys)).not.toBeNull()
    expect(await verifyJws(await forge({ alg: 'HS512', kid: 'x'.repeat(300) }, {}, oldSecret), keys)).toBeNull()
  })

  it('rejects structural damage without throwing', async () => {
    const token = await signJws({ sub: 'u' }, hs)
    const [h, p, s] = token.split('.') as [string, string, string]
    for (const bad of [`${token}.`, `${h}.${p}`, `${h}..${p}.${s}`, `${h}.${p}.${s}=`, `${h}=.${p}.${s}`, `${h}.${p}.${s.slice(0, -4)}`, ` ${token}`, `${h}.${p}+.${s}`]) {
      expect(await verifyJws(bad, [hs])).toBeNull()
    }
    expect(await verifyJws(`${h}.${p}.${s}`.padEnd(maxJwsLength + 1, 'A'), [hs])).toBeNull()
    expect(await verifyJwt(await forge({ alg: 'HS512' }, [1, 2]), [hs])).toBeNull() // payload not an object
    expect(await verifyJws(undefined, [hs])).toBeNull()
    expect(await verifyJws(token, [])).toBeNull()
  })
})
