// Measures which Web Crypto primitives the runtime under test actually has. Each probe does the full
// round trip the library needs (generate/import, sign, verify, export), because a runtime can list an
// algorithm and still fail one step of it.

export interface Features {
  /** HMAC with SHA-512: HS512 access tokens and the default peppered secret hashes. */
  HS512: boolean
  /** ECDSA P-521 with SHA-512, incl. JWK/PKCS#8/SPKI import and export: ES512 access tokens. */
  ES512: boolean
  /** PBKDF2 with SHA-512: the optional slow secret hash. */
  'PBKDF2-SHA512': boolean
  /** `crypto.randomUUID`: token row ids. */
  randomUUID: boolean
}

async function probe(check: () => Promise<unknown>): Promise<boolean> {
  try {
    return (await check()) !== false
  } catch {
    return false
  }
}

const data = new TextEncoder().encode('edge-token-managers feature probe')

export async function measureFeatures(): Promise<Features> {
  const subtle = crypto.subtle
  const HS512 = await probe(async () => {
    const key = await subtle.importKey('raw', new Uint8Array(64), { name: 'HMAC', hash: 'SHA-512' }, false, ['sign', 'verify'])
    const mac = await subtle.sign('HMAC', key, data)
    return mac.byteLength === 64 && (await subtle.verify('HMAC', key, mac, data))
  })
  const ES512 = await probe(async () => {
    const pair = (await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-521' }, true, ['sign', 'verify'])) as CryptoKeyPair
    const signature = await subtle.sign({ name: 'ECDSA', hash: 'SHA-512' }, pair.privateKey, data)
    if (signature.byteLength !== 132) return false // JWS wants IEEE P1363 (r ‖ s), 2 × 66 bytes
    const jwk = await subtle.exportKey('jwk', pair.publicKey)
    const spki = await subtle.exportKey('spki', pair.publicKey)
    const pkcs8 = await subtle.exportKey('pkcs8', pair.privateKey)
    const fromJwk = await subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-521' }, false, ['verify'])
    await subtle.importKey('spki', spki, { name: 'ECDSA', namedCurve: 'P-521' }, false, ['verify'])
    await subtle.importKey('pkcs8', pkcs8, { name: 'ECDSA', namedCurve: 'P-521' }, false, ['sign'])
    return subtle.verify({ name: 'ECDSA', hash: 'SHA-512' }, fromJwk, signature, data)
  })
  const pbkdf2 = await probe(async () => {
    const key = await subtle.importKey('raw', data, 'PBKDF2', false, ['deriveBits'])
    const bits = await subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-512', salt: new Uint8Array(16), iterations: 1000 }, key, 512)
    return bits.byteLength === 64
  })
  const randomUUID = await probe(async () => /^[0-9a-f-]{36}$/.test(crypto.randomUUID()))
  return { HS512, ES512, 'PBKDF2-SHA512': pbkdf2, randomUUID }
}
