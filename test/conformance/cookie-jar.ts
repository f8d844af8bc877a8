// A browser's cookie store, as far as token cookies need one: Set-Cookie lines are kept by name and path,
// deleted by `Max-Age=0`, and sent where their path matches. `Expires` is not enforced: tests run servers
// on moved clocks. Portable (the conformance suite runs it on every runtime).
export class CookieJar {
  readonly #cookies = new Map<string, { name: string; value: string; path: string }>()
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
      const path = String(attrs.get('path') ?? '/')
      if (attrs.get('max-age') === '0') this.#cookies.delete(`${name} ${path}`)
      else this.#cookies.set(`${name} ${path}`, { name, value, path })
    }
    return this
  }

  get(name: string): string | undefined {
    return [...this.#cookies.values()].find((c) => c.name === name)?.value
  }

  /** The Cookie header for a request to `path`. */
  header(path: string): string {
    return [...this.#cookies.values()].filter((c) => path === c.path || path.startsWith(c.path === '/' ? '/' : `${c.path}/`))
      .map((c) => `${c.name}=${c.value}`).join('; ')
  }
}
