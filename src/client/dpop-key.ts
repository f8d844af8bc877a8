// The client's DPoP key (RFC 9449 §2): an ES256 pair whose private half is non-extractable, so script can
// ask it to sign but never read it out. Browsers keep it in IndexedDB (a CryptoKey survives structured
// cloning, still non-extractable), shared by the origin's tabs like the refresh token bound to it;
// elsewhere (Node, workers without IndexedDB, private modes that refuse it) it lives in memory.
import { dpopKeyParams } from '../crypto/dpop-keys.ts'
import type { DpopKey } from '../crypto/dpop-sign.ts'
import type { WebCryptoKey } from '../crypto/web-types.ts'

const databaseName = 'edge-token-managers'
const storeName = 'dpop-keys'
const inMemory = new Map<string, Promise<DpopKey>>()

async function generate(): Promise<DpopKey> {
  const pair = (await crypto.subtle.generateKey(dpopKeyParams('ES256') as never, false, ['sign', 'verify'])) as unknown as { privateKey: WebCryptoKey; publicKey: WebCryptoKey }
  const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey)
  return { alg: 'ES256', privateKey: pair.privateKey, publicJwk: { kty, crv, x, y } }
}

type Idb = { open(name: string, version: number): any }

/** The request's result, as a promise. */
function done<T>(request: any): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
}

async function fromIndexedDb(idb: Idb, name: string): Promise<DpopKey> {
  const open = idb.open(databaseName, 1)
  open.onupgradeneeded = () => open.result.createObjectStore(storeName)
  const db = await done<any>(open)
  try {
    const stored = await done<DpopKey | undefined>(db.transaction(storeName).objectStore(storeName).get(name))
    if (stored) return stored
    const key = await generate()
    try {
      // `add`, not `put`: when two tabs create one at once, the first wins and the second reads it.
      await done(db.transaction(storeName, 'readwrite').objectStore(storeName).add(key, name))
      return key
    } catch {
      return (await done<DpopKey | undefined>(db.transaction(storeName).objectStore(storeName).get(name))) ?? key
    }
  } finally {
    db.close()
  }
}

/**
 * The DPoP key of the client named `name` (its storage channel): loaded once, created on first use.
 *
 * @example
 * ```ts
 * const key = await dpopKeyFor('edge-token-managers.auth:https://api.example') // the same key in every tab
 * ```
 */
export function dpopKeyFor(name: string): Promise<DpopKey> {
  let key = inMemory.get(name)
  if (!key) {
    const idb = (globalThis as { indexedDB?: Idb }).indexedDB
    key = idb ? fromIndexedDb(idb, name).catch(generate) : generate()
    inMemory.set(name, key)
    // A failure (no Web Crypto) is not remembered: the next request tries again.
    key.catch(() => inMemory.delete(name))
  }
  return key
}
