import { argon2id } from '@noble/hashes/argon2.js'
import { randomBytes, timingSafeEqual, utf8Decode, utf8Encode, type Bytes } from '../crypto/bytes.ts'
import { ConfigError } from '../crypto/errors.ts'
import type { SecretHashVerdict } from '../crypto/secret-hash.ts'
import type { HasherOptions, SecretHashing } from '../managers/formats.ts'
import { decodePaddedBase64, encodePaddedBase64 } from './base64.ts'

/** Argon2id cost parameters, as a PHC string names them: memory in KiB (`m`), iterations (`t`), lanes (`p`). */
export interface Argon2Parameters {
  memory: number
  iterations: number
  lanes: number
}

// Serverpod 3.4 writes m=4096 KiB, t=3, p = the server's CPU count, a 32-byte hash and a 16-byte salt.
const hashLength = 32
const saltLength = 16
/** Parameters a hash may name at most, and the ones this library configures at most (a Worker holds 128 MB). */
const limits = { memory: 65_536, iterations: 16, lanes: 64 }
const serverpodCost = 4096 * 3

/** Argon2 work of one hash in KiB × passes: memory times passes is what one derivation costs in time. */
const costOf = (p: Argon2Parameters) => p.memory * p.iterations

/**
 * The most Argon2 work one verification may do, over all peppers tried: max(4, peppers) hashes at the
 * configured cost or Serverpod's (m=4096, t=3), whichever is higher. A row rewritten to name huge
 * parameters (m=65536, t=16 would take ~10 s per pepper, the event loop blocked) is treated as malformed
 * instead; a hash at those costs, under any of up to four peppers, always verifies.
 */
function argon2VerifyBudget(parameters: Argon2Parameters, peppers: number): number {
  return Math.max(4, peppers) * Math.max(costOf(parameters), serverpodCost)
}

/** The lanes of this machine, as Serverpod picks them; 1 where the runtime does not say (Workers). */
function defaultLanes(): number {
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: unknown } }).navigator?.hardwareConcurrency
  return typeof cores === 'number' && Number.isInteger(cores) && cores >= 1 ? Math.min(cores, limits.lanes) : 1
}

export function checkArgon2Parameters(options: Partial<Argon2Parameters> = {}): Argon2Parameters {
  const parameters = { memory: options.memory ?? 4096, iterations: options.iterations ?? 3, lanes: options.lanes ?? defaultLanes() }
  const { memory, iterations, lanes } = parameters
  const ok = (value: number, low: number, high: number) => Number.isInteger(value) && value >= low && value <= high
  if (!ok(lanes, 1, limits.lanes) || !ok(iterations, 1, limits.iterations) || !ok(memory, 8 * lanes, limits.memory)) {
    throw new ConfigError(`argon2 needs integers: lanes 1–${limits.lanes}, iterations 1–${limits.iterations}, memory (KiB) from 8 × lanes to ${limits.memory}.`)
  }
  return parameters
}

interface Phc extends Argon2Parameters {
  salt: Bytes
  hash: Bytes
}

// `$argon2id$v=19$m=4096,t=3,p=8$<salt>$<hash>`, salt and hash in padded standard base64 (Serverpod's spelling).
const phcPattern = /^\$argon2id\$v=(16|19)\$m=(\d{1,6}),t=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/

function parsePhc(stored: Uint8Array): Phc | null {
  const match = phcPattern.exec(utf8Decode(stored) ?? '')
  if (!match) return null
  const [memory, iterations, lanes] = [Number(match[2]), Number(match[3]), Number(match[4])]
  const salt = decodePaddedBase64(match[5]!, 'standard')
  const hash = decodePaddedBase64(match[6]!, 'standard')
  const bounded = lanes >= 1 && lanes <= limits.lanes && iterations >= 1 && iterations <= limits.iterations &&
    memory >= 8 * lanes && memory <= limits.memory
  if (!bounded || !salt || salt.length < 8 || !hash || hash.length < 16 || hash.length > 64) return null
  return { memory, iterations, lanes, salt, hash }
}

function formatPhc({ memory, iterations, lanes, salt, hash }: Phc): string {
  return `$argon2id$v=19$m=${memory},t=${iterations},p=${lanes}$${encodePaddedBase64(salt, 'standard')}$${encodePaddedBase64(hash, 'standard')}`
}

// Serverpod's parser reads v=16 as well but always computes version 0x13: so does this one.
function derive(secret: Uint8Array, pepper: Uint8Array, p: Omit<Phc, 'hash'>, length: number): Bytes {
  return argon2id(secret, p.salt, { t: p.iterations, m: p.memory, p: p.lanes, dkLen: length, key: pepper, version: 0x13 }) as Bytes
}

/**
 * Serverpod's refresh-secret hash: Argon2id with the pepper as Argon2's secret input K, stored as a PHC
 * string (here as its UTF-8 bytes). Verifies with the parameters each stored string names; writes with
 * the configured ones. Fallback peppers verify, as `'outdated'`.
 */
export class Argon2idHasher implements SecretHashing {
  readonly parameters: Argon2Parameters
  readonly #peppers: Bytes[]
  readonly #budget: number

  constructor(options: HasherOptions, parameters: Argon2Parameters) {
    this.parameters = parameters
    this.#peppers = [options.pepper, ...options.fallbackPeppers].map(utf8Encode)
    this.#budget = argon2VerifyBudget(parameters, this.#peppers.length)
  }

  async ready(): Promise<void> {}

  async hash(secret: Uint8Array): Promise<Bytes> {
    const salt = randomBytes(saltLength)
    const hash = derive(secret, this.#peppers[0]!, { ...this.parameters, salt }, hashLength)
    return utf8Encode(formatPhc({ ...this.parameters, salt, hash }))
  }

  async verify(secret: Uint8Array, stored: Uint8Array): Promise<SecretHashVerdict> {
    const phc = parsePhc(stored)
    if (!phc) return null
    // Stop before the pepper whose derivation would overrun the budget: the stored row chose the cost.
    for (let i = 0; i < this.#peppers.length && (i + 1) * costOf(phc) <= this.#budget; i++) {
      if (timingSafeEqual(derive(secret, this.#peppers[i]!, phc, phc.hash.length), phc.hash)) {
        const { memory, iterations, lanes } = this.parameters
        return i === 0 && phc.memory === memory && phc.iterations === iterations && phc.lanes === lanes ? 'current' : 'outdated'
      }
    }
    return null
  }
}
