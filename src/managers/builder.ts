import type { TokenStore } from './storage.ts'
import type { ManagerClock } from './clock.ts'
import type { AuthUsers, TokenManager } from './types.ts'
import { AuthUserBlockedError, AuthUserNotFoundError } from './errors.ts'

/** What `initializeAuthServices` hands each manager it builds. */
export interface ManagerContext<TDb = any> {
  store: TokenStore<TDb>
  clock: ManagerClock
  authUsers: AuthUsers | undefined
}

/** A config that builds a manager: `JwtConfig`, `ServerSideSessionsConfig`, or your own. */
export interface TokenManagerBuilder<TDb = any> {
  build(context: ManagerContext<TDb>): TokenManager & { readonly ready: Promise<void> }
}

/**
 * The user from `authUsers`, refusing unknown and blocked ones; `undefined` when no `authUsers` is
 * configured (then everyone is admitted). Issue and refresh both go through here.
 */
export async function requireActiveUser(
  authUsers: AuthUsers | undefined,
  authUserId: string,
): Promise<{ scopes?: Iterable<string> } | undefined> {
  if (!authUsers) return undefined
  const user = await authUsers.get(authUserId)
  if (!user) throw new AuthUserNotFoundError()
  if (user.blocked) throw new AuthUserBlockedError()
  return user
}

/**
 * Checks the user before a token is issued and picks the scopes: the explicit ones, else the user's
 * from `authUsers`, else none.
 */
export async function admitUser(
  authUsers: AuthUsers | undefined,
  authUserId: string,
  scopes: Iterable<string> | undefined,
): Promise<string[]> {
  const user = await requireActiveUser(authUsers, authUserId)
  const chosen = scopes ?? user?.scopes
  return chosen ? [...new Set(chosen)] : []
}
