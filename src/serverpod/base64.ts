import { decodeBase64Url, encodeBase64Url } from '../crypto/base64url.ts'
import type { Bytes } from '../crypto/bytes.ts'

// Dart's base64Encode and base64Url.encode always pad with `=`: Serverpod's tokens and PHC strings do.

/** Padded base64 in the standard (`+/`) or URL (`-_`) alphabet, as Dart writes it. */
export function encodePaddedBase64(bytes: Uint8Array, alphabet: 'standard' | 'url'): string {
  const text = encodeBase64Url(bytes)
  const padded = text + '='.repeat((4 - (text.length % 4)) % 4)
  return alphabet === 'url' ? padded : padded.replaceAll('-', '+').replaceAll('_', '/')
}

/**
 * Decodes padded or unpadded base64 of one alphabet, canonical spellings only; `null` for anything else
 * (the other alphabet's characters, misplaced or excess padding, whitespace).
 */
export function decodePaddedBase64(text: string, alphabet: 'standard' | 'url'): Bytes | null {
  const body = text.replace(/={1,2}$/, '')
  if (body.length !== text.length && text.length % 4 !== 0) return null
  if (alphabet === 'standard' ? /[-_]/.test(body) : /[+/]/.test(body)) return null
  return decodeBase64Url(alphabet === 'standard' ? body.replaceAll('+', '-').replaceAll('/', '_') : body)
}
