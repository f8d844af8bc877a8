import { readFileSync, readdirSync } from 'node:fs'
const file = readdirSync('/tmp/prof')[0]!
const p = JSON.parse(readFileSync(`/tmp/prof/${file}`, 'utf8'))
const self = new Map<number, number>()
const dt = p.timeDeltas as number[]
p.samples.forEach((id: number, i: number) => self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0)))
const byId = new Map(p.nodes.map((n: any) => [n.id, n]))
const fn = new Map<string, number>(), mod = new Map<string, number>()
let total = 0
for (const [id, t] of self) {
  const n: any = byId.get(id); const cf = n.callFrame
  const u = cf.url.replace(/^.*node_modules\//, 'nm/').replace(/^file:\/\/\/work\/main\//, '')
  const m = u.startsWith('nm/') ? u.split('/').slice(0, u.split('/')[1]!.startsWith('@') ? 3 : 2).join('/') : u.startsWith('node:') ? 'node-internal' : u || `(${cf.functionName})`
  fn.set(`${cf.functionName} ${u}:${cf.lineNumber}`, (fn.get(`${cf.functionName} ${u}:${cf.lineNumber}`) ?? 0) + t)
  mod.set(m, (mod.get(m) ?? 0) + t); total += t
}
const top = (m: Map<string, number>, k: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k).map(([n, t]) => `${(100 * t / total).toFixed(1)}% ${n}`).join('\n')
console.log(top(mod, 25)); console.log('---'); console.log(top(fn, 30))
