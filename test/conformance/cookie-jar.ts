// A browser's cookie store, as far as token cookies need one: cookies are kept by name, domain and path
// (a host's own cookies have no domain; one another host set with `Domain=` is a separate cookie), deleted
// by `Max-Age=0`, and sent where their path matches, longer paths first, as browsers order them.
// `Expires` is not enforced: tests run servers on moved clocks. Portable (the conformance suite runs it
// on every runtime).
interface StoredCookie {
  name: string
  value: string
  domain: string
  path: string
}

export class CookieJar {
  readonly #cookies = new Map<string, StoredCookie>()
  /** The Set-Cookie lines of `response`, parsed into name, value and attributes. */
  static lines(response: Response) {
    return response.headers.getSetCookie().map((line) => {
      // `Expires` holds a comma and `=`-free date: split attributes on '; ' only, values at their first '='.
      const [pair = '', ...attributes] = line.split('; ')
      const name = pair.slice(0, pair.indexOf('='))
      const value = pair.slice(pair.indexOf('=') + 1)
      const attrs = new Map(attributes.map((a) => [a.split('=')[0]!.toLowerCase(), a.includes('=') ? a.slice(a.indexOf('=') + 1) : true] as const))
      return { name, value, attrs, line }
    })
  }

  take(response: Response): this {
    for (const { name, value, attrs } of CookieJar.lines(response)) {
      const domain = String(attrs.get('domain') ?? '').replace(/^\./, '').toLowerCase()
      this.#store({ name, value, domain, path: String(attrs.get('path') ?? '/') }, attrs.get('max-age') === '0')
    }
    return this
  }

  /** A cookie another host (a sibling subdomain) set with `Domain=domain`, as `document.cookie` would. */
  plant(name: string, value: string, { domain, path }: { domain: string; path: string }): this {
    this.#store({ name, value, domain, path }, false)
    return this
  }

  #store(cookie: StoredCookie, deleted: boolean): void {
    const key = `${cookie.name} ${cookie.domain} ${cookie.path}`
    this.#cookies.delete(key) // a replaced cookie keeps no place in the order
    if (!deleted) this.#cookies.set(key, cookie)
  }

  /** The value of this host's own cookie `name` (not a planted copy). */
  get(name: string): string | undefined {
    return [...this.#cookies.values()].find((c) => c.name === name && c.domain === '')?.value
  }

  /** How many cookies named `name` the jar holds, planted copies included. */
  count(name: string): number {
    return [...this.#cookies.values()].filter((c) => c.name === name).length
  }

  /** The Cookie header for a request to `path`. */
  header(path: string): string {
    return [...this.#cookies.values()]
      .filter((c) => path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`).join('; ')
  }
}
