import type { TokenStore } from './storage.ts'
import type { AuthUsers, Clock, TokenManager } from './types.ts'
import { AuthUserBlockedError, AuthUserNotFoundError } from './errors.ts'

/** What `initializeAuthServices` hands each manager it builds. */
export interface ManagerContext {
  // The managers never look inside the database handle, so any store fits.
  store: TokenStore<any>
  clock: Clock
  authUsers: AuthUsers | undefined
}

/** A config that builds a manager: `JwtConfig`, `ServerSideSessionsConfig`, or your own. */
export interface TokenManagerBuilder {
  build(context: ManagerContext): TokenManager & { readonly ready: Promise<void> }
}

/**
 * Checks the user before a token is issued or refreshed and picks the scopes: the explicit ones, else
 * the user's from `authUsers`, else none.
 */
export async function admitUser(
  authUsers: AuthUsers | undefined,
  authUserId: string,
  scopes: Iterable<string> | undefined,
): Promise<string[]> {
  if (!authUsers) return uniqueScopes(scopes)
  const user = await authUsers.get(authUserId)
  if (!user) throw new AuthUserNotFoundError()
  if (user.blocked) throw new AuthUserBlockedError()
  return uniqueScopes(scopes ?? user.scopes)
}

function uniqueScopes(scopes: Iterable<string> | undefined): string[] {
  return scopes ? [...new Set(scopes)] : []
}
