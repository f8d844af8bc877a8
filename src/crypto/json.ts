// Strict JSON for untrusted token parts. JSON.parse alone keeps the last of duplicate keys (RFC 8725
// §3.10: parsers must reject them) and recurses without bound; this scan closes both gaps in one
// linear pass before JSON.parse runs.

const maxDepth = 32

function structureIsSafe(text: string): boolean {
  // One entry per open container: the keys seen so far for an object, null for an array.
  const open: (Set<string> | null)[] = []
  let expectKey = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22) {
      // The closing quote is the first one preceded by an even run of backslashes (indexOf is vectorised).
      let end = i
      let escaped = false
      for (;;) {
        end = text.indexOf('"', end + 1)
        if (end < 0) return false
        let backslashes = 0
        while (text.charCodeAt(end - 1 - backslashes) === 0x5c) backslashes++
        if (backslashes > 0) escaped = true
        if (backslashes % 2 === 0) break
      }
      const keys = open.at(-1)
      if (keys && expectKey) {
        // Only escapes need JSON.parse to spell the key; a key with a stray control character fails the
        // full JSON.parse that follows this scan anyway.
        escaped ||= text.slice(i + 1, end).includes('\\')
        let key: unknown = escaped ? undefined : text.slice(i + 1, end)
        if (escaped) {
          try {
            key = JSON.parse(text.slice(i, end + 1))
          } catch {
            return false
          }
        }
        // `__proto__` has no business in a token and is a prototype-pollution foothold downstream.
        if (typeof key !== 'string' || keys.has(key) || key === '__proto__') return false
        keys.add(key)
        expectKey = false
      }
      i = end
    } else if (c === 0x7b || c === 0x5b) {
      if (open.length >= maxDepth) return false
      open.push(c === 0x7b ? new Set() : null)
      expectKey = c === 0x7b
    } else if (c === 0x7d || c === 0x5d) {
      open.pop()
      expectKey = false
    } else if (c === 0x2c) {
      expectKey = open.at(-1) instanceof Set
    }
  }
  return true
}

/** A JSON object from untrusted text, or `null`: not JSON, not an object, duplicate keys, or nested too deep. */
export function parseJsonObject(text: string): Record<string, unknown> | null {
  if (!structureIsSafe(text)) return null
  try {
    const value: unknown = JSON.parse(text)
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null
  } catch {
    return null
  }
}
