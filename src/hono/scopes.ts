import type { MiddlewareHandler } from 'hono'
import type { OptionalAuthVariables } from './authenticate.ts'
import { httpError } from './errors.ts'
import { ConfigError } from '../managers/errors.ts'

// RFC 6750 §3 scope-token: printable ASCII without space, `"` and `\`, so the challenge stays parseable.
const scopeToken = /^[\x21\x23-\x5B\x5D-\x7E]+$/

/**
 * Lets the request through only if the authenticated token has every one of `scopes`; otherwise 403 with
 * `WWW-Authenticate: Bearer realm="…", error="insufficient_scope", scope="…"` (RFC 6750 §3.1). Put it
 * after `authenticate`; an anonymous request (optional mode) gets 401 instead.
 *
 * @example
 * ```ts
 * app.delete('/api/users/:id', authenticate({ auth }), requireScopes('admin'), (c) => c.body(null, 204))
 * ```
 */
export function requireScopes(...scopes: string[]): MiddlewareHandler<{ Variables: Partial<OptionalAuthVariables> }> {
  const needed = [...new Set(scopes)]
  if (needed.length === 0 || !needed.every((s) => scopeToken.test(s))) {
    throw new ConfigError('requireScopes needs one or more scopes of printable ASCII without spaces, quotes or backslashes.')
  }
  const scope = needed.join(' ')
  return async function requireScopesMiddleware(c, next) {
    const realm = c.get('authRealm') ?? 'api'
    const info = c.get('auth')
    if (!info) throw httpError('ERR_TOKEN_MISSING', { realm })
    const granted = new Set(info.scopes)
    if (!needed.every((s) => granted.has(s))) {
      throw httpError('ERR_INSUFFICIENT_SCOPE', { realm, scope })
    }
    await next()
  }
}
