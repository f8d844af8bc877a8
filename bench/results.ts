// The shape of bench/results/latest.json. A run of some sections keeps the others from the previous file,
// each stamped with when it was measured.
import { existsSync, readFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import type { OperationCount } from '../test/support/round-trips.ts'
import type { RuntimeMicro } from './micro/runtimes.ts'
import type { ConcurrencyResult } from './scale/concurrency.ts'
import type { HttpResult } from './scale/http.ts'
import type { SlowLinkResult } from './scale/slow-link.ts'
import type { SqliteLatency, SqliteRows } from './scale/sqlite.ts'
import type { SweepResult } from './scale/sweep.ts'
import type { RowsResult } from './scale/rows.ts'
import type { SizeResult } from './sizes.ts'
import type { WorkerdCpuResult } from './workerd/cpu.ts'
import type { WorkerdD1Result } from './workerd/d1.ts'

export interface Machine {
  cpu: string
  cores: number
  memoryGb: number
  loadAverage: number[]
  note: string
}

interface Stamped {
  measuredAt: string
  machine: Machine
}

export interface Results {
  micro?: Stamped & { rounds: number; runtimes: RuntimeMicro[] }
  /** The verified-token cache's heap per entry, on Node. */
  cacheMemory?: Stamped & { entries: number; tokenLength: number; bytesPerEntry: number }
  roundTrips?: Stamped & { drivers: Record<string, OperationCount[]> }
  sizes?: Stamped & { results: SizeResult[] }
  workerdCpu?: Stamped & { results: WorkerdCpuResult[] }
  /** D1 and Postgres (neon-http) store operations inside workerd: latency, throughput, round trips, statements. */
  workerdD1?: Stamped & { results: WorkerdD1Result[] }
  scale?: Stamped & { concurrency: ConcurrencyResult[]; rows: RowsResult[] }
  /** Requests per second through a loopback server: the floor, Drizzle, sessions (cache off/on), JWT. */
  http?: Stamped & { results: HttpResult[] }
  /** SQLite (better-sqlite3, libSQL, D1) beside Postgres, and SQLite row growth. */
  sqlite?: Stamped & { latency: SqliteLatency[]; rows: SqliteRows[] }
  /** Each database operation through a TCP link of `delayMs` each way, as a multiple of the measured round trip. */
  slowLink?: Stamped & { delayMs: number; results: SlowLinkResult[] }
  /** deleteExpiredTokens() on millions of expired rows while 100 clients validate live sessions. */
  sweep?: Stamped & SweepResult
}

export function machine(): Machine {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
    note: 'a VM whose cores may be shared with other VMs: read loadAverage for the load during the run',
  }
}

export const stamp = (): Stamped => ({ measuredAt: new Date().toISOString(), machine: machine() })

export function loadResults(path: string): Results {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Results) : {}
}
