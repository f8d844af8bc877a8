// Strict JSON for untrusted token parts. JSON.parse alone keeps the last of duplicate keys (RFC 8725
// §3.10: parsers must reject them) and recurses without bound. A linear scan outside strings bounds the
// nesting and counts the key separators (`:`) before JSON.parse runs; afterwards the parsed objects must
// hold as many keys as the text spelled, else two of them collapsed into one: a duplicate, however escaped.

const maxDepth = 32

/** How many keys `text` spells (colons outside strings), or -1 if it nests too deep or a string never ends. */
function countKeys(text: string): number {
  let depth = 0
  let colons = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22) {
      // The closing quote is the first one preceded by an even run of backslashes (indexOf is vectorised).
      let end = i
      for (;;) {
        end = text.indexOf('"', end + 1)
        if (end < 0) return -1
        let backslashes = 0
        while (text.charCodeAt(end - 1 - backslashes) === 0x5c) backslashes++
        if (backslashes % 2 === 0) break
      }
      i = end
    } else if (c === 0x3a) colons++
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return -1
    } else if (c === 0x7d || c === 0x5d) depth--
  }
  return colons
}

/** Keys held by every object in a parsed value, or -1 if one of them is `__proto__`. */
function heldKeys(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0
  let held = 0
  if (Array.isArray(value)) {
    for (const item of value) {
      const inner = heldKeys(item)
      if (inner < 0) return -1
      held += inner
    }
    return held
  }
  // `__proto__` has no business in a token and is a prototype-pollution foothold downstream.
  if (Object.hasOwn(value, '__proto__')) return -1
  for (const key in value) {
    const inner = heldKeys((value as Record<string, unknown>)[key])
    if (inner < 0) return -1
    held += inner + 1
  }
  return held
}

/** A JSON object from untrusted text, or `null`: not JSON, not an object, duplicate keys, or nested too deep. */
export function parseJsonObject(text: string): Record<string, unknown> | null {
  const spelled = countKeys(text)
  if (spelled < 0) return null
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return null
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null
  return heldKeys(value) === spelled ? (value as Record<string, unknown>) : null
}
