// The account activity page: the onEvent handler writes sign-ins, refreshes, revocations and reuse
// detections to the demo's auth_activity table (after the response: the library delivers off the request
// path), and the page reads them back per user, with a banner when a reuse was detected.
import { and, desc, eq, inArray, or } from 'drizzle-orm'
import type { AuthEvent, AuthEventHandler } from '../src/index.ts'
import type { AnyPgDatabase } from '../src/drizzle/index.ts'
import { authActivity } from './schema.ts'

const recorded = new Set<AuthEvent['type']>(['sign-in', 'refresh', 'revocation', 'reuse-detected'])

/** The request fields the demo's contexts carry (its RequestInfo, or the Hono routes' requestContext). */
function requestOf(context: unknown): { ipAddress: string | null; userAgent: string | null } {
  const from = (context ?? {}) as { ipAddress?: unknown; userAgent?: unknown }
  const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, 300) : null)
  return { ipAddress: text(from.ipAddress), userAgent: text(from.userAgent) }
}

/**
 * The demo's `onEvent`: one auth_activity row per event it shows. Every field of an event is safe to
 * store (no token or secret is ever in one).
 *
 * @example
 * ```ts
 * initializeAuthServices({ store, tokenManagerBuilders, onEvent: activityRecorder(db) })
 * ```
 */
export function activityRecorder(db: AnyPgDatabase): AuthEventHandler {
  return async (event) => {
    if (!recorded.has(event.type)) return
    const { type, at, clock: _, context, ...detail } = event
    const authUserId = 'authUserId' in event ? event.authUserId : event.type === 'revocation' ? event.filter?.authUserId ?? null : null
    const tokenId = 'tokenId' in event ? event.tokenId ?? null : null
    await db.insert(authActivity).values({ type, authUserId, tokenId, detail, at, ...requestOf(context) })
  }
}

/** One line of the activity page. */
export interface ActivityEntry {
  type: string
  at: Date
  tokenId: string | null
  detail: Record<string, unknown>
  ipAddress: string | null
  userAgent: string | null
}

/**
 * My activity, newest first: rows of my user, and revocations of tokens I signed in with (a sign-out names
 * only the token). `reuseDetected`: one of my sign-ins had a refresh token replayed.
 *
 * @example
 * ```ts
 * const { entries, reuseDetected } = await activityOf(db, 'alice')
 * ```
 */
export async function activityOf(db: AnyPgDatabase, authUserId: string, limit = 50): Promise<{ entries: ActivityEntry[]; reuseDetected: boolean }> {
  const mySignIns = db.select({ tokenId: authActivity.tokenId }).from(authActivity)
    .where(and(eq(authActivity.authUserId, authUserId), eq(authActivity.type, 'sign-in')))
  const rows = await db.select().from(authActivity)
    .where(or(eq(authActivity.authUserId, authUserId), inArray(authActivity.tokenId, mySignIns)))
    .orderBy(desc(authActivity.at), desc(authActivity.id))
    .limit(limit)
  const entries = rows.map(({ id: _, authUserId: __, ...entry }) => entry)
  return { entries, reuseDetected: entries.some((e) => e.type === 'reuse-detected') }
}
