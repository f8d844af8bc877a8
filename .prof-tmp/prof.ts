import { spawn } from 'node:child_process'
import { createServerDatabase } from '/work/main/test/support/postgres.ts'
import { closedLoop } from '/work/main/bench/scale/latency.ts'
const database = await createServerDatabase('prof')
const child = spawn(process.execPath, ['--cpu-prof', '--cpu-prof-dir=/tmp/prof', '/work/main/bench/scale/http-server.ts'], { env: { ...process.env, BENCH_DATABASE_URL: database.url }, stdio: ['ignore', 'pipe', 'inherit'] })
const port = await new Promise<string>((r) => child.stdout!.on('data', (c: Buffer) => { const m = /port (\d+)/.exec(c.toString()); if (m) r(m[1]!) }))
const url = `http://127.0.0.1:${port}`
const s = (await (await fetch(`${url}/issue`, { method: 'POST', body: JSON.stringify({ kind: 'session', count: 200 }) })).json()) as { token: string }[]
const r = await closedLoop(16, 6000, async (c, i) => { const res = await fetch(`${url}/session`, { headers: { authorization: `Bearer ${s[(c * 31 + i) % 200]!.token}` } }); await res.arrayBuffer() })
console.log(r.throughput)
child.kill('SIGINT')
await new Promise((res) => child.once('exit', res))
await database.drop()
