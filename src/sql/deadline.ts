import { observed } from '../crypto/loading.ts'
import { EdgeTokenError, StorageUnavailableError, type StorageError } from '../managers/errors.ts'
import { consoleLogger, reportFailure, type StoreLogger } from './logger.ts'

/** How a dialect turns a driver's failure into a typed error: available or not, with a safe cause. */
export type ClassifyFailure = (error: unknown) => StorageError | StorageUnavailableError

/**
 * Wraps every storage operation: a deadline, so a hung link (half-open socket, a fetch that never answers)
 * gives the caller StorageUnavailableError instead of hanging the request; typing, so no driver error
 * (Drizzle's quotes parameters) escapes; and one log line per distinct cause. An abandoned statement may
 * still complete on the server. That is safe here: each operation is one statement (or one batch), and a
 * refresh whose answer was lost is retried inside the grace window.
 *
 * @example
 * ```ts
 * const guarded = withDeadline(5000, storageFailure)
 * const rows = await guarded(() => db.select().from(table))
 * ```
 */
export function withDeadline(deadlineMs: number, classify: ClassifyFailure, logger: StoreLogger = consoleLogger) {
  return async function guarded<T>(operation: () => Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined
    try {
      const running = Promise.resolve().then(operation) // a driver that throws synchronously is a failure too
      observed(running) // if the deadline wins, a late failure must not become an unhandled rejection
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new StorageUnavailableError({ cause: new Error(`No answer from the database within ${deadlineMs} ms.`) })), deadlineMs)
      })
      return await Promise.race([running, deadline])
    } catch (error) {
      // Our own typed errors (a misconfigured callback) are not the database failing: never "retry later".
      if (error instanceof EdgeTokenError && !(error instanceof StorageUnavailableError)) throw error
      const failure = error instanceof StorageUnavailableError ? error : classify(error)
      reportFailure(logger, failure)
      throw failure
    } finally {
      clearTimeout(timer)
    }
  }
}
