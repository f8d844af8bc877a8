// Node, Bun and Deno run this directly and print one JSON line.
import { measureArgon2 } from './argon2-cases.ts'

const runtime = 'Deno' in globalThis ? 'deno' : 'Bun' in globalThis ? 'bun' : 'node'
console.log(JSON.stringify(await measureArgon2(runtime)))
