// What the D1 benchmark's Worker (d1-worker.ts) and its driver (d1.ts) agree on: stores, operations, answer.

/** Where the Worker's token store lives: the D1 binding, or Postgres through neon-http (the comparison). */
export const d1Stores = ['d1', 'postgres'] as const
export const d1Operations = ['session validate', 'session issue', 'JWT refresh', 'session list'] as const
export type Store = (typeof d1Stores)[number]
export type Operation = (typeof d1Operations)[number]

/** One /run answer: per operation, in order. */
export interface D1RunAnswer {
  /**
   * ms, timed inside workerd (local workerd advances the clock during a request; production would not). Its
   * clock moves in whole ms: single timings are coarse, `totalMs` over many operations is not.
   */
  timings: number[]
  totalMs: number
  /** Database requests (round trips) and statements (a batch is one request carrying several). */
  requests: number[]
  statements: number[]
}
