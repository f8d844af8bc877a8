// RFC 9449 §4.3 (9): the proof's `htu` and the request's URL are compared without query and fragment,
// after the syntax-based normalisation of RFC 3986 §6.2.2–6.2.3 that the URL parser performs.

/**
 * The URL as a DPoP `htu` compares it: scheme and host lower-cased, the scheme's default port dropped, dot
 * segments resolved, no user info, query or fragment. `null` for anything that is not an http(s) URL.
 *
 * @example
 * ```ts
 * normalizeHtu('HTTPS://Api.Example.com:443/a/../token?x=1#f') // 'https://api.example.com/token'
 * ```
 */
export function normalizeHtu(url: unknown): string | null {
  if (typeof url !== 'string' || url.length > 4096) return null
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return null
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null
  // `host` is already lower-case and without the default port; the path keeps its case (RFC 3986 §6.2.2.1).
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`
}
