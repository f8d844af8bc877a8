import type { TokenStore } from './storage.ts'
import type { ManagerClock } from './clock.ts'
import type { AuthUsers, TokenManager } from './types.ts'
import type { AuthEvents } from './event-delivery.ts'
import { AuthUserBlockedError, AuthUserNotFoundError, InvalidArgumentError } from './errors.ts'

/** What `initializeAuthServices` hands each manager it builds. */
export interface ManagerContext<TDb = any> {
  store: TokenStore<TDb>
  clock: ManagerClock
  authUsers: AuthUsers | undefined
  /** Where the managers emit `onEvent`'s events; absent (a manager built by hand) = no events. */
  events?: AuthEvents
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
 * Checks an issue's arguments and its user before a token is issued, and picks the scopes: the explicit
 * ones, else the user's from `authUsers`, else none.
 */
export async function admitUser(
  authUsers: AuthUsers | undefined,
  { authUserId, method, scopes }: { authUserId: string; method: string; scopes?: Iterable<string> | undefined },
): Promise<string[]> {
  storableText(authUserId, 'authUserId')
  storableText(method, 'method')
  const user = await requireActiveUser(authUsers, authUserId)
  return scopes !== undefined ? scopeList(scopes) : user?.scopes !== undefined ? scopeList(user.scopes, 'authUsers.get(…).scopes') : []
}

/**
 * Scopes as stored: distinct, each storable text. A string is iterable too — `'admin'` would become five
 * one-letter scopes — so only arrays and other collections are taken.
 */
export function scopeList(scopes: unknown, argument = 'scopes'): string[] {
  if (typeof scopes === 'string' || typeof (scopes as Iterable<unknown> | null)?.[Symbol.iterator] !== 'function') {
    throw new InvalidArgumentError(`${argument} must be an array of strings, e.g. ['admin'].`)
  }
  const chosen = [...new Set(scopes as Iterable<unknown>)]
  chosen.forEach((scope, i) => storableText(scope, `${argument}[${i}]`))
  return chosen as string[]
}

/**
 * `value` if Postgres can store it as text: a non-empty string without NUL. Anything else would only fail
 * later as a bare SQLSTATE (23502, 22021) — or be stored and match nothing.
 */
function storableText(value: unknown, argument: string): string {
  if (typeof value !== 'string' || value === '' || value.includes('\u0000')) {
    throw new InvalidArgumentError(`${argument} must be a non-empty string without NUL characters.`)
  }
  return value
}
