import { inArray, type Column, type SQL } from 'drizzle-orm'
import type { QueryDatabase } from './dialect.ts'

/**
 * Rows one sweep statement deletes at most. One `DELETE` of every expired row outlives the storage deadline
 * somewhere past a million rows, is rolled back, and the table never shrinks again; batches of this size
 * take milliseconds each, so a sweep of any size makes steady progress and never holds many row locks.
 */
export const sweepBatchSize = 5_000

/** The longest rest between two batches. */
const maxRestMs = 1_000

/**
 * Between batches the sweep rests as long as the last batch took (as autovacuum's cost delay does), so it
 * keeps at most half of one connection busy and leaves the database's CPU to live traffic.
 */
const restAsLongAs = (batchMs: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.min(batchMs, maxRestMs)))

/**
 * Deletes every row of `table` that `expired` selects, `batchSize` at a time: each batch is its own
 * statement with its own deadline (`guarded`), followed by a rest as long as it took. Returns how many rows
 * went in all. A batch that fails stops the sweep; what earlier batches deleted stays deleted, and the next
 * sweep goes on from there.
 *
 * @example
 * ```ts
 * const deleted = await sweep(guarded, db, { table: s, id: s.id }, sql`${s.expiresAt} <= ${now}`)
 * ```
 */
export async function sweep(
  guarded: <T>(operation: () => Promise<T>) => Promise<T>,
  db: QueryDatabase,
  { table, id }: { table: unknown; id: Column },
  expired: SQL | undefined,
  { batchSize = sweepBatchSize, rest = restAsLongAs }: { batchSize?: number; rest?: (batchMs: number) => Promise<void> } = {},
): Promise<number> {
  if (expired === undefined) return 0 // no rule, no rows: never "delete everything"
  let total = 0
  for (;;) {
    const started = Date.now()
    const batch = db.select({ id }).from(table).where(expired).limit(batchSize)
    const deleted: number = await guarded(async () => (await db.delete(table).where(inArray(id, batch)).returning({ id })).length)
    total += deleted
    if (deleted < batchSize) return total
    await rest(Date.now() - started)
  }
}
