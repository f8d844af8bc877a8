// Tables in the app's own schema, as a Drizzle app keeps them: its schema file calls tokenTables (a
// Postgres schema, its own table names) beside a metadata table that references them with cascade delete;
// the app's drizzle-kit generates the migration, the app applies it, and the store runs on those tables.
import { execFile } from 'node:child_process'
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { eq } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { initializeAuthServices, JwtTokenManager, ServerSideSessionsTokenManager } from '../../src/index.ts'
import { pgTable, serial, text, uuid } from 'drizzle-orm/pg-core'
import { drizzleTokenStore, type RefreshTokenTable, type SessionTable } from '../../src/drizzle/index.ts'
import { jwtConfig, sessionsConfig } from '../support/auth.ts'
import { createServerDatabase } from '../support/postgres.ts'

const root = join(import.meta.dirname, '..', '..')
// Inside the repository, so the app's schema resolves drizzle-orm and the library the way an app's would.
const app = join(root, '.test-results', `app-schema-pg-${crypto.randomUUID().slice(0, 8)}`)

const appSchema = `import { pgSchema, pgTable, serial, text, uuid } from 'drizzle-orm/pg-core'
import { tokenTables } from '../../src/drizzle/index.ts'

export const auth = pgSchema('app_auth')
export const { refreshToken, session } = tokenTables({ schema: auth, refreshToken: 'refresh_tokens', session: 'sessions' })

export const tokenMetadata = pgTable('token_metadata', {
  id: serial('id').primaryKey(),
  refreshTokenId: uuid('refresh_token_id').references(() => refreshToken.id, { onDelete: 'cascade' }).unique(),
  deviceName: text('device_name'),
})
`

interface AppSchema {
  refreshToken: RefreshTokenTable
  session: SessionTable
  tokenMetadata: typeof exampleMetadata
}
// The metadata table's type, as the app's file declares it (the test reads the real one from that file).
const exampleMetadata = pgTable('token_metadata', { id: serial('id').primaryKey(), refreshTokenId: uuid('refresh_token_id'), deviceName: text('device_name') })
let schema: AppSchema
let database: Awaited<ReturnType<typeof createServerDatabase>>
let pool: pg.Pool

beforeAll(async () => {
  mkdirSync(app, { recursive: true })
  writeFileSync(join(app, 'schema.ts'), appSchema)
  const drizzleKit = join(root, 'node_modules', 'drizzle-kit', 'bin.cjs')
  await promisify(execFile)(process.execPath, [drizzleKit, 'generate', '--dialect=postgresql', '--schema=./schema.ts', '--out=./drizzle'], { cwd: app })
  database = await createServerDatabase('app_schema', { migrationsFolder: join(app, 'drizzle') })
  pool = new pg.Pool({ connectionString: database.url, max: 4 })
  schema = (await import(join(app, 'schema.ts'))) as AppSchema
}, 120_000)
afterAll(async () => {
  await pool?.end()
  await database?.drop()
  rmSync(app, { recursive: true, force: true })
})

it("drizzle-kit generates the tables under the app's names and schema, with the cascading reference", () => {
  const migration = readdirSync(join(app, 'drizzle')).filter((f) => f.endsWith('.sql')).map((f) => readFileSync(join(app, 'drizzle', f), 'utf8')).join('\n')
  expect(migration).toContain('CREATE SCHEMA "app_auth"')
  expect(migration).toContain('CREATE TABLE "app_auth"."refresh_tokens"')
  expect(migration).toContain('CREATE TABLE "app_auth"."sessions"')
  expect(migration).toMatch(/REFERENCES "app_auth"\."refresh_tokens"\("id"\) ON DELETE cascade/)
})

it("the store runs on the app's tables: metadata with the token, refresh, sessions, revoke cascades", async () => {
  const db = drizzle(pool)
  const tables = { refreshToken: schema.refreshToken, session: schema.session }
  const auth = initializeAuthServices({
    store: drizzleTokenStore(db, { tables }),
    tokenManagerBuilders: [
      jwtConfig({ onRefreshTokenCreated: ({ refreshTokenId }) => [db.insert(schema.tokenMetadata).values({ refreshTokenId, deviceName: 'phone' })] }),
      sessionsConfig(),
    ],
  })
  const issued = await auth.tokenManager.issueToken({ authUserId: 'app-user', method: 'email' })
  const refreshed = await auth.getTokenManager(JwtTokenManager).refreshAccessToken(issued.refreshToken!)
  expect(await auth.tokenManager.validateToken(refreshed.token)).toMatchObject({ userIdentifier: 'app-user' })
  const session = await auth.getTokenManager(ServerSideSessionsTokenManager).issueToken({ authUserId: 'app-user', method: 'email' })
  expect(await auth.tokenManager.validateToken(session.token)).toMatchObject({ userIdentifier: 'app-user', tokenIssuer: 'session' })

  const rows = async (table: string) => (await pool.query(`select count(*)::int as n from ${table} where auth_user_id = 'app-user'`)).rows[0].n
  expect([await rows('app_auth.refresh_tokens'), await rows('app_auth.sessions')]).toEqual([1, 1])
  expect(await db.select().from(schema.tokenMetadata).where(eq(schema.tokenMetadata.refreshTokenId, issued.tokenId))).toHaveLength(1)

  await auth.tokenManager.revokeAllTokens({ authUserId: 'app-user' })
  expect([await rows('app_auth.refresh_tokens'), await rows('app_auth.sessions')]).toEqual([0, 0])
  expect(await db.select().from(schema.tokenMetadata)).toEqual([]) // the cascade
  // The library's default tables were never created in this database.
  expect((await pool.query(`select to_regclass('public.auth_refresh_token') as t`)).rows[0].t).toBeNull()
})
