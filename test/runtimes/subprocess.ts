// Deno and Bun: the runtime's own binary (from node_modules/.bin) runs pglite-entry.ts directly, and
// the report is read from its stdout. A binary that is missing or crashes makes the run fail.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import type { ConformanceReport } from '../conformance/index.ts'
import { parseReport, reportMarker } from './report.ts'

const root = join(import.meta.dirname, '..', '..')
const entry = join(import.meta.dirname, 'pglite-entry.ts')

export const subprocessCommands = {
  // No network, reads only (node_modules, drizzle/), env for PGlite; no lock file written.
  deno: [join(root, 'node_modules', '.bin', 'deno'), 'run', '--no-lock', '--allow-read', '--allow-env', entry],
  bun: [join(root, 'node_modules', '.bin', 'bun'), 'run', entry],
} as const

export function runSubprocess(runtime: keyof typeof subprocessCommands, timeoutMs = 120_000): Promise<ConformanceReport> {
  const [bin, ...args] = subprocessCommands[runtime]
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], timeout: timeoutMs })
    let stdout = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => void (stdout += chunk))
    child.on('error', (error) => reject(new Error(`${bin} could not start: ${error.message}`)))
    child.on('close', (code, signal) => {
      // Pass through anything the runtime printed besides the report line.
      const other = stdout.split('\n').filter((line) => line && !line.startsWith(reportMarker))
      if (other.length) console.log(other.join('\n'))
      const report = parseReport(stdout)
      if (report && code === 0) resolve(report)
      else reject(new Error(`${runtime} exited with ${signal ?? `code ${code}`}${report ? '' : ' before printing its report'}`))
    })
  })
}
