// Argon2id at Serverpod 3.4's cost (m = 4096 KiB, t = 3), timed inside the runtime under test. A refresh
// in serverpodStore mode verifies the presented rotating secret and hashes its successor: one verify plus
// one hash. Portable (Web APIs only) so workerd and EdgeVM run it too. Lanes do not change the work: the
// pure-JS Argon2id fills the same 4 MiB whatever p is, one lane after another.
import { Argon2idHasher } from '../../src/serverpod/argon2.ts'

export interface Argon2Result {
  runtime: string
  /** Median milliseconds over `rounds`. */
  hashMs: number
  verifyMs: number
  refreshMs: number
  rounds: number
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

export async function measureArgon2(runtime: string, rounds = 9): Promise<Argon2Result> {
  const hasher = new Argon2idHasher({ pepper: 'bench-refresh-token-pepper', fallbackPeppers: [] }, { memory: 4096, iterations: 3, lanes: 1 })
  const secret = crypto.getRandomValues(new Uint8Array(64))
  const stored = await hasher.hash(secret) // warm-up
  const hash: number[] = [], verify: number[] = [], refresh: number[] = []
  for (let i = 0; i < rounds; i++) {
    const a = performance.now()
    await hasher.verify(secret, stored)
    const b = performance.now()
    await hasher.hash(secret)
    const c = performance.now()
    verify.push(b - a)
    hash.push(c - b)
    refresh.push(c - a)
  }
  const round = (ms: number) => Math.round(ms * 10) / 10
  return { runtime, hashMs: round(median(hash)), verifyMs: round(median(verify)), refreshMs: round(median(refresh)), rounds }
}
