/** Bytes backed by a plain ArrayBuffer: what Web Crypto accepts everywhere. */
export type Bytes = Uint8Array<ArrayBuffer>

const encoder = new TextEncoder()
// fatal: invalid UTF-8 is an error, not U+FFFD, so two different byte strings never decode alike.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * Cryptographically random bytes from `crypto.getRandomValues`.
 */
export function randomBytes(length: number): Bytes {
  return crypto.getRandomValues(new Uint8Array(length))
}

/** The bytes of each part, one after another. */
export function concatBytes(...parts: readonly Uint8Array[]): Bytes {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/**
 * UTF-8 bytes of a string.
 */
export function utf8Encode(text: string): Bytes {
  return encoder.encode(text)
}

/**
 * The string these UTF-8 bytes encode, or `null` if they are not valid UTF-8.
 */
export function utf8Decode(bytes: Uint8Array): string | null {
  try {
    return decoder.decode(bytes)
  } catch {
    return null
  }
}

/**
 * Compares two byte strings in time that depends only on their lengths, never on where they differ.
 * Use it for every comparison of secrets, hashes and MACs.
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  // Lengths of hashes and MACs are public (fixed by the algorithm), so an early exit on them leaks nothing.
  if (a.length !== b.length) return false
  let difference = 0
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!
  return difference === 0
}
