// Reads the raw `Cookie` header. Hono's `getCookie` returns one value per name, but a browser sends a
// name twice when another host planted a copy (a `Domain` cookie from a sibling subdomain, often with a
// longer `Path`, so it comes first): only the raw header shows that a name is ambiguous.

/**
 * Every value the request's `Cookie` header carries for `name`, in the order sent (the browser's: longer
 * paths first). Values are unquoted and percent-decoded as Hono's `getCookie` does.
 *
 * @example
 * ```ts
 * cookieValues(c.req.header('cookie'), '__Host-session') // [] | ['etmst_…'] | two or more: ambiguous
 * ```
 */
export function cookieValues(header: string | undefined, name: string): string[] {
  if (!header || !header.includes(name)) return []
  const values: string[] = []
  for (const pair of header.split(';')) {
    const equals = pair.indexOf('=')
    if (equals === -1 || pair.slice(0, equals).trim() !== name) continue
    let value = pair.slice(equals + 1).trim()
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1)
    values.push(decoded(value))
  }
  return values
}

function decoded(value: string): string {
  if (!value.includes('%')) return value
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}
