// Memory per entry of the verified-token cache, on Node (needs --expose-gc): the heap after a manager has
// cached N distinct library tokens, minus the heap before they existed, over N. The token string is counted:
// the cache keeps it alive (it is the key), where without the cache it would die with its request.
//   node --expose-gc bench/micro/cache-memory.ts [--entries=10000]
import { JwtAlgorithm, JwtTokenManager } from '../../src/index.ts'
import { signJws } from '../../src/crypto/jws.ts'
import { jwtServices, libraryClaims } from './fixtures.ts'

const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with node --expose-gc')
const entries = Number(process.argv.find((a) => a.startsWith('--entries='))?.slice(10) ?? 10_000)
const settle = () => { for (let i = 0; i < 4; i++) gc() }

const key = await crypto.subtle.importKey('raw', crypto.getRandomValues(new Uint8Array(64)), { name: 'HMAC', hash: 'SHA-512' }, false, ['sign', 'verify'])
const manager = jwtServices(JwtAlgorithm.hmacSha512(key), entries).getTokenManager(JwtTokenManager)
await manager.ready
// Warm up every code path (and its one-off allocations) before the baseline.
const warm = await signJws(libraryClaims(), { alg: 'HS512', key })
await manager.validateToken(warm)
settle()
const before = process.memoryUsage().heapUsed

let tokens: string[] | null = []
for (let i = 0; i < entries; i++) tokens.push(await signJws(libraryClaims(), { alg: 'HS512', key }))
let tokenLength = 0
for (const token of tokens) {
  if (!(await manager.validateToken(token))) throw new Error('a token did not validate')
  tokenLength += token.length
}
tokenLength /= entries
tokens = null
settle()
const after = process.memoryUsage().heapUsed
console.log(JSON.stringify({ entries, tokenLength: Math.round(tokenLength), bytesPerEntry: Math.round((after - before) / entries), manager: manager !== null }))
