// Tables in the app's own SQLite schema (the Workers app on D1 that already uses Drizzle): its schema file
// calls tokenTables with its own names beside a metadata table that references them with cascade delete;
// its drizzle-kit generates the migration; it is applied as `wrangler d1 migrations apply` does (D1) and by
// drizzle-orm's migrator (better-sqlite3); the seed's TokenMetadata example then runs on those tables.
import { execFile } from 'node:child_process'
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { eq } from 'drizzle-orm'
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initializeAuthServices, JwtTokenManager, ServerSideSessionsTokenManager } from '../../src/index.ts'
import { sqliteTokenStore, type RefreshTokenTable, type SessionTable } from '../../src/sqlite/index.ts'
import { jwtConfig, sessionsConfig } from '../support/auth.ts'
import { openSqliteDatabase, sqliteDriverNames, type OpenSqliteDatabase } from '../support/drivers.ts'

const root = join(import.meta.dirname, '..', '..')
// Inside the repository, so the app's schema resolves drizzle-orm and the library the way an app's would.
const app = join(root, '.test-results', `app-schema-sqlite-${crypto.randomUUID().slice(0, 8)}`)

const appSchema = `import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { tokenTables } from '../../src/sqlite/index.ts'

export const { refreshToken, session } = tokenTables({ refreshToken: 'refresh_tokens', session: 'sessions' })

export const tokenMetadata = sqliteTable('token_metadata', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  refreshTokenId: text('refresh_token_id').references(() => refreshToken.id, { onDelete: 'cascade' }).unique(),
  deviceName: text('device_name'),
})
`

// The metadata table's type as the app's file declares it (the tests use the real one, read from that file).
const exampleMetadata = sqliteTable('token_metadata', { id: integer('id').primaryKey(), refreshTokenId: text('refresh_token_id'), deviceName: text('device_name') })
interface AppSchema {
  refreshToken: RefreshTokenTable
  session: SessionTable
  tokenMetadata: typeof exampleMetadata
}
let schema: AppSchema

beforeAll(async () => {
  mkdirSync(app, { recursive: true })
  writeFileSync(join(app, 'schema.ts'), appSchema)
  const drizzleKit = join(root, 'node_modules', 'drizzle-kit', 'bin.cjs')
  await promisify(execFile)(process.execPath, [drizzleKit, 'generate', '--dialect=sqlite', '--schema=./schema.ts', '--out=./migrations'], { cwd: app })
  schema = (await import(join(app, 'schema.ts'))) as AppSchema
}, 120_000)
afterAll(() => rmSync(app, { recursive: true, force: true }))

it("drizzle-kit generates the tables under the app's names, with the cascading reference", () => {
  const migration = readdirSync(join(app, 'migrations')).filter((f) => f.endsWith('.sql')).map((f) => readFileSync(join(app, 'migrations', f), 'utf8')).join('\n')
  expect(migration).toContain('CREATE TABLE `refresh_tokens`')
  expect(migration).toContain('CREATE TABLE `sessions`')
  expect(migration).toMatch(/REFERENCES `refresh_tokens`\(`id`\) ON UPDATE no action ON DELETE cascade/)
})

describe.each(sqliteDriverNames)('on %s', (driver) => {
  let database: OpenSqliteDatabase
  beforeAll(async () => {
    database = await openSqliteDatabase(driver, { migrationsFolder: join(app, 'migrations') })
  })
  afterAll(async () => database?.close())

  it("the store runs on the app's tables: metadata with the token, refresh, sessions, revoke cascades", async () => {
    const { db } = database
    const auth = initializeAuthServices({
      store: sqliteTokenStore(db, { tables: { refreshToken: schema.refreshToken, session: schema.session } }),
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

    const rows = async (table: string) => (await database.query(`select count(*) as n from ${table} where auth_user_id = 'app-user'`))[0]!.n
    expect([await rows('refresh_tokens'), await rows('sessions')]).toEqual([1, 1])
    expect(await db.select().from(schema.tokenMetadata).where(eq(schema.tokenMetadata.refreshTokenId, issued.tokenId))).toHaveLength(1)

    await auth.tokenManager.revokeAllTokens({ authUserId: 'app-user' })
    expect([await rows('refresh_tokens'), await rows('sessions')]).toEqual([0, 0])
    expect(await db.select().from(schema.tokenMetadata)).toEqual([]) // the cascade
    expect(await database.query(`select name from sqlite_master where name = 'auth_refresh_token'`)).toEqual([])
  })
})
