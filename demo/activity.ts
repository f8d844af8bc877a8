// The account activity page: the onEvent handler writes sign-ins, refreshes, revocations and reuse
// detections to the demo's auth_activity table (after the response: the library delivers off the request
// path), and the page reads them back per user, with a banner when a reuse was detected. Written once for
// both dialects, over the query builders Postgres and SQLite share (as demo/storage.ts).
import { and, desc, eq, inArray, or, type SQL } from 'drizzle-orm'
import type { AuthEvent, AuthEventHandler } from '../src/index.ts'
import type { DemoStorage } from './storage.ts'

const recorded = new Set<AuthEvent['type']>(['sign-in', 'refresh', 'revocation', 'reuse-detected'])

/** One line of the activity page. */
export interface ActivityEntry {
  type: string
  at: Date
  tokenId: string | null
  detail: Record<string, unknown>
  ipAddress: string | null
  userAgent: string | null
}

type ActivityRow = ActivityEntry & { id: number; authUserId: string | null }
type Table = DemoStorage['authActivity']

/** What the queries use of either dialect's database (TypeScript cannot call methods on a union of the two). */
interface ActivityDatabase {
  insert(table: Table): { values(row: Omit<ActivityRow, 'id'>): PromiseLike<unknown> }
  select(fields?: Record<string, unknown>): {
    from(table: Table): { where(where: SQL | undefined): PromiseLike<ActivityRow[]> & { orderBy(...by: SQL[]): { limit(n: number): PromiseLike<ActivityRow[]> } } }
  }
}
const queries = (storage: DemoStorage) => storage.store.db as ActivityDatabase

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
 * initializeAuthServices({ store: storage.store, tokenManagerBuilders, onEvent: activityRecorder(storage) })
 * ```
 */
export function activityRecorder(storage: DemoStorage): AuthEventHandler {
  return async (event) => {
    if (!recorded.has(event.type)) return
    const { type, at, clock: _, context, ...detail } = event
    const authUserId = 'authUserId' in event ? event.authUserId : event.type === 'revocation' ? event.filter?.authUserId ?? null : null
    const tokenId = 'tokenId' in event ? event.tokenId ?? null : null
    await queries(storage).insert(storage.authActivity).values({ type, authUserId, tokenId, detail, at, ...requestOf(context) })
  }
}

/**
 * My activity, newest first: rows of my user, and revocations of tokens I signed in with (a sign-out names
 * only the token). `reuseDetected`: one of my sign-ins had a refresh token replayed. Rejects with the
 * dialect's typed error.
 *
 * @example
 * ```ts
 * const { entries, reuseDetected } = await activityOf(storage, 'alice')
 * ```
 */
export async function activityOf(storage: DemoStorage, authUserId: string, limit = 50): Promise<{ entries: ActivityEntry[]; reuseDetected: boolean }> {
  const table = storage.authActivity
  const mySignIns = queries(storage).select({ tokenId: table.tokenId }).from(table).where(and(eq(table.authUserId, authUserId), eq(table.type, 'sign-in')))
  let rows: ActivityRow[]
  try {
    rows = await queries(storage).select().from(table)
      .where(or(eq(table.authUserId, authUserId), inArray(table.tokenId, mySignIns as unknown as SQL)))
      .orderBy(desc(table.at), desc(table.id))
      .limit(limit)
  } catch (error) {
    throw storage.failure(error)
  }
  const entries = rows.map(({ id: _, authUserId: __, ...entry }) => entry)
  return { entries, reuseDetected: entries.some((e) => e.type === 'reuse-detected') }
}
