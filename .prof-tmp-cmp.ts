import { eq, sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import { authSession, drizzleTokenStore } from './src/drizzle/index.ts'
import { initializeAuthServices, ServerSideSessionsTokenManager } from './src/index.ts'
import { sessionsConfig } from './test/support/auth.ts'
import { createServerDatabase } from './test/support/postgres.ts'
import { closedLoop } from './bench/scale/latency.ts'

const database = await createServerDatabase('cmp')
const pool = new pg.Pool({ connectionString: database.url, max: 10 })
const db = drizzle(pool)
const auth = initializeAuthServices({ store: drizzleTokenStore(db), tokenManagerBuilders: [sessionsConfig({ lastUsedAtUpdateInterval: '1d' })] })
const sessions = auth.getTokenManager(ServerSideSessionsTokenManager)
const issued = await Promise.all(Array.from({ length: 200 }, (_, i) => sessions.issueToken({ authUserId: `u${i}`, method: 'email' })))
const prepared = db.select().from(authSession).where(eq(authSession.id, sql.placeholder('id'))).limit(1).prepare('')
const ops: Record<string, (i: number) => Promise<unknown>> = {
  raw: (i) => pool.query('select * from auth_session where id = $1', [issued[i % 200]!.tokenId]),
  drizzle: (i) => db.select().from(authSession).where(eq(authSession.id, issued[i % 200]!.tokenId)).limit(1),
  prepared: (i) => prepared.execute({ id: issued[i % 200]!.tokenId }),
  validate: (i) => sessions.validateToken(issued[i % 200]!.token),
}
for (let round = 0; round < 2; round++) for (const [name, op] of Object.entries(ops)) {
  const r = await closedLoop(16, 2500, (c, i) => op(c * 31 + i))
  console.log(round, name, Math.round(r.throughput))
}
await pool.end()
await database.drop()
