// Deno and Bun run this file directly (TypeScript, npm packages from node_modules): the conformance
// suite against an embedded PGlite with the committed migrations and Serverpod's, the report printed as one JSON line.
import { PGlite } from '@electric-sql/pglite'
import { drizzle } from 'drizzle-orm/pglite'
import { migrate } from 'drizzle-orm/pglite/migrator'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { runConformance } from '../conformance/index.ts'
import { reportMarker } from './report.ts'

const runtime = 'Deno' in globalThis ? 'deno' : 'Bun' in globalThis ? 'bun' : 'unknown'
const client = new PGlite()
const db = drizzle(client)
await migrate(db, { migrationsFolder: fileURLToPath(new URL('../../drizzle', import.meta.url)) })
await client.exec(readFileSync(new URL('../serverpod/serverpod-migration.sql', import.meta.url), 'utf8')) // Serverpod's own tables
const report = await runConformance({ runtime, driver: 'pglite', dialect: 'postgres', db })
await client.close()
console.log(reportMarker + JSON.stringify(report))
