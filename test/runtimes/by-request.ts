// Runner side: drives a runtime that answers conformance requests (see neon-entry.ts) one case at a
// time and merges the per-case reports into one.
import type { ConformanceReport } from '../conformance/index.ts'

export async function runByRequest(fetchFrom: (url: string) => Promise<Response>): Promise<ConformanceReport> {
  const names = (await (await fetchFrom('http://conformance/cases')).json()) as string[]
  let report: ConformanceReport | undefined
  for (const [index, name] of names.entries()) {
    const response = await fetchFrom(`http://conformance/run?case=${index}`)
    if (!response.ok) throw new Error(`case "${name}": HTTP ${response.status} ${await response.text()}`)
    const one = (await response.json()) as ConformanceReport
    report ??= { ...one, passed: 0, failed: 0, cases: [] }
    report.cases.push(...one.cases)
    report.passed += one.passed
    report.failed += one.failed
  }
  if (!report) throw new Error('the runtime listed no cases')
  return report
}
