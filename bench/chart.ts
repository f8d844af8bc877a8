// The README's chart: throughput as a fraction of raw crypto.subtle, per operation and runtime, for this
// library, jose and hono/jwt. Hand-written SVG (no dependency), one panel per runtime. The dashed line on
// HS512 validate is naive-min, the floor of any JWT validator (verify + JSON.parse, no checks).
import { naiveMin } from './micro/cases.ts'
import type { RuntimeMicro } from './micro/runtimes.ts'

const series = [
  { name: 'library', label: 'edge-token-managers', color: '#2563eb' },
  { name: 'jose', label: 'jose', color: '#f59e0b' },
  { name: 'hono', label: 'hono/jwt', color: '#10b981' },
] as const
const cases = [
  { id: 'hs512-validate', label: 'HS512 validate', floor: naiveMin },
  { id: 'hs512-sign', label: 'HS512 sign' },
  { id: 'es512-validate', label: 'ES512 validate' },
  { id: 'es512-sign', label: 'ES512 sign' },
  { id: 'session-validate', label: 'Session check (no DB)' },
] as const

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;')

export function ratioChart(runtimes: RuntimeMicro[], caption: string): string {
  const panelWidth = 430, barHeight = 9, labelWidth = 150, plotWidth = 240, maxRatio = 1.2
  const caseHeight = series.length * barHeight + 12
  const panelHeight = 28 + cases.length * caseHeight + 22
  const columns = 2
  const rows = Math.ceil(runtimes.length / columns)
  const width = columns * panelWidth + 20
  const height = 56 + rows * panelHeight + 24
  const x = (ratio: number) => (Math.min(ratio, maxRatio) / maxRatio) * plotWidth
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">Throughput relative to raw crypto.subtle (1.0 = the floor; higher is better)</text>`,
  ]
  series.forEach((s, i) => out.push(`<rect x="${10 + i * 150}" y="32" width="10" height="10" fill="${s.color}"/><text x="${24 + i * 150}" y="41">${s.label}</text>`))
  out.push(`<line x1="${10 + 3 * 150}" y1="37" x2="${30 + 3 * 150}" y2="37" stroke="#dc2626" stroke-dasharray="3,2"/><text x="${34 + 3 * 150}" y="41">naive-min (no checks)</text>`)
  runtimes.forEach((runtime, p) => {
    const left = 10 + (p % columns) * panelWidth
    const top = 56 + Math.floor(p / columns) * panelHeight
    const plotLeft = left + labelWidth
    out.push(`<text x="${left}" y="${top + 14}" font-size="12" font-weight="bold">${escape(runtime.runtime)}</text>`)
    for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
      const tx = plotLeft + x(tick)
      out.push(`<line x1="${tx}" y1="${top + 22}" x2="${tx}" y2="${top + panelHeight - 18}" stroke="${tick === 1 ? '#111' : '#e5e7eb'}"/>`)
      out.push(`<text x="${tx}" y="${top + panelHeight - 6}" text-anchor="middle" fill="#555">${tick}</text>`)
    }
    cases.forEach((c, ci) => {
      const result = runtime.results.find((r) => r.id === c.id)
      const caseTop = top + 26 + ci * caseHeight
      out.push(`<text x="${left}" y="${caseTop + (series.length * barHeight) / 2 + 4}">${c.label}</text>`)
      series.forEach((s, si) => {
        const ratio = result?.ratioToRaw[s.name]
        if (ratio === undefined) return
        const y = caseTop + si * barHeight
        out.push(`<rect x="${plotLeft}" y="${y}" width="${x(ratio).toFixed(1)}" height="${barHeight - 2}" fill="${s.color}"/>`)
        out.push(`<text x="${plotLeft + x(ratio) + 3}" y="${y + barHeight - 2}" font-size="9" fill="#333">${ratio.toFixed(2)}</text>`)
      })
      const floor = 'floor' in c ? result?.ratioToRaw[c.floor] : undefined
      if (floor !== undefined) {
        const tx = plotLeft + x(floor)
        out.push(`<line x1="${tx}" y1="${caseTop - 2}" x2="${tx}" y2="${caseTop + series.length * barHeight}" stroke="#dc2626" stroke-dasharray="3,2"/>`)
      }
    })
  })
  out.push(`<text x="10" y="${height - 8}" fill="#555">${escape(caption)}</text>`, '</svg>')
  return out.join('\n')
}
