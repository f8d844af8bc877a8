// How a leaked secret could look in a log: every encoding, and long fragments of each.
export const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
export const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes))
export const base64url = (bytes: Uint8Array) => base64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')

/** A secret in every spelling it could leak in; long enough that a match is no coincidence. */
export function spellings(secret: Uint8Array | string): string[] {
  const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret
  const forms = [hex(bytes), hex(bytes).toUpperCase(), base64(bytes).replace(/=+$/, ''), base64url(bytes)]
  if (typeof secret === 'string') forms.push(secret)
  // A partial leak counts too (Postgres quotes long values cut short): every 24-character window, by 12.
  const windows = (f: string) => Array.from({ length: Math.max(0, Math.ceil((f.length - 24) / 12)) + 1 }, (_, i) => f.slice(i * 12, i * 12 + 24))
  return forms.flatMap((f) => [f, ...windows(f)]).filter((f) => f.length >= 16 || (f === secret && f.length >= 10))
}
