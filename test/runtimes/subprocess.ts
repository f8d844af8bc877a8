// Deno and Bun: the runtime's own binary (from node_modules/.bin) runs an entry file directly (pglite-entry.ts
// for Postgres, sqlite-entry.ts for SQLite), and the report is read from its stdout. A binary that is
// missing or crashes makes the run fail.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import type { ConformanceReport } from '../conformance/index.ts'
import { parseReport, reportMarker } from './report.ts'

const root = join(import.meta.dirname, '..', '..')
const bin = (name: string) => join(root, 'node_modules', '.bin', name)
const entry = (name: string) => join(import.meta.dirname, name)
// Deno: no network, no lock file written; reads node_modules and drizzle/, env for PGlite and libSQL.
const deno = [bin('deno'), 'run', '--no-lock', '--allow-read', '--allow-env']

export const subprocessCommands = {
  deno: [...deno, entry('pglite-entry.ts')],
  // libSQL is a Node-API addon (ffi) that writes its database file in a temp dir (write, sys for tmpdir).
  'deno-sqlite': [...deno, '--allow-write', '--allow-ffi', '--allow-sys', entry('sqlite-entry.ts')],
  bun: [bin('bun'), 'run', entry('pglite-entry.ts')],
  'bun-sqlite': [bin('bun'), 'run', entry('sqlite-entry.ts')],
} as const

export function runSubprocess(suite: keyof typeof subprocessCommands, timeoutMs = 120_000): Promise<ConformanceReport> {
  const [command, ...args] = subprocessCommands[suite]
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], timeout: timeoutMs })
    let stdout = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => void (stdout += chunk))
    child.on('error', (error) => reject(new Error(`${command} could not start: ${error.message}`)))
    child.on('close', (code, signal) => {
      // Pass through anything the runtime printed besides the report line.
      const other = stdout.split('\n').filter((line) => line && !line.startsWith(reportMarker))
      if (other.length) console.log(other.join('\n'))
      const report = parseReport(stdout)
      if (report && code === 0) resolve(report)
      else reject(new Error(`${suite} exited with ${signal ?? `code ${code}`}${report ? '' : ' before printing its report'}`))
    })
  })
}
