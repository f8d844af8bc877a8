// The seed's TokenMetadata example on SQLite, with the tables declared in the app's schema: a metadata
// table that references the refresh token with cascade delete, filled by onRefreshTokenCreated atomically
// with the insert (one batch on D1, one transaction on better-sqlite3); a failing write leaves no token row.
import { eq } from 'drizzle-orm'
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initializeAuthServices, JwtTokenManager, StorageError } from '../../src/index.ts'
import { authRefreshToken, authSession, sqliteTokenStore } from '../../src/sqlite/index.ts'
import { jwtConfig, sessionsConfig } from '../support/auth.ts'
import { openSqliteDatabase, sqliteDriverNames, type OpenSqliteDatabase } from '../support/drivers.ts'

const tokenMetadata = sqliteTable('token_metadata', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  refreshTokenId: text('refresh_token_id').references(() => authRefreshToken.id, { onDelete: 'cascade' }).unique(),
  sessionId: text('session_id').references(() => authSession.id, { onDelete: 'cascade' }).unique(),
  deviceName: text('device_name'),
})

describe.each(sqliteDriverNames)('token metadata on %s', (driver) => {
  let database: OpenSqliteDatabase
  beforeAll(async () => {
    database = await openSqliteDatabase(driver)
    await database.query(`create table token_metadata (
      id integer primary key autoincrement,
      refresh_token_id text unique references auth_refresh_token(id) on delete cascade,
      session_id text unique references auth_session(id) on delete cascade,
      device_name text)`)
  })
  afterAll(async () => database?.close())

  const setup = (duplicate = false) => {
    const { db } = database
    const rows = (row: typeof tokenMetadata.$inferInsert) => (duplicate ? [db.insert(tokenMetadata).values(row), db.insert(tokenMetadata).values(row)] : [db.insert(tokenMetadata).values(row)])
    return initializeAuthServices({
      store: sqliteTokenStore(db),
      tokenManagerBuilders: [
        jwtConfig({ onRefreshTokenCreated: ({ refreshTokenId, context }) => rows({ refreshTokenId, deviceName: String(context) }) }),
        sessionsConfig({ onSessionCreated: ({ sessionId, context }) => rows({ sessionId, deviceName: String(context) }) }),
      ],
    })
  }

  it('stores metadata with the token, revokes by device, and cascades the delete', async () => {
    const auth = setup()
    const old = await auth.tokenManager.issueToken({ authUserId: 'm-user', method: 'email', context: 'Old Device' })
    const current = await auth.tokenManager.issueToken({ authUserId: 'm-user', method: 'email', context: 'New Phone' })
    expect(await database.db.select().from(tokenMetadata).where(eq(tokenMetadata.refreshTokenId, old.tokenId))).toMatchObject([{ deviceName: 'Old Device' }])

    for (const row of await database.db.select().from(tokenMetadata).where(eq(tokenMetadata.deviceName, 'Old Device'))) {
      await auth.tokenManager.revokeToken({ tokenId: row.refreshTokenId! })
    }
    expect((await auth.tokenManager.listTokens({ authUserId: 'm-user' })).map((t) => t.tokenId)).toEqual([current.tokenId])
    expect(await database.db.select().from(tokenMetadata).where(eq(tokenMetadata.refreshTokenId, old.tokenId))).toEqual([])
    await expect(auth.getTokenManager(JwtTokenManager).refreshAccessToken(old.refreshToken!)).rejects.toMatchObject({ code: 'ERR_REFRESH_TOKEN_NOT_FOUND' })
  })

  it('leaves no token row when a callback write fails, and names the constraint', async () => {
    const auth = setup(true)
    const failure = await auth.tokenManager.issueToken({ authUserId: 'm-fail', method: 'email', context: 'x' }).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(StorageError)
    expect(failure).toMatchObject({ code: 'ERR_STORAGE', driverCode: expect.stringMatching(/^SQLITE_CONSTRAINT/) })
    expect(await database.query(`select count(*) as n from auth_refresh_token where auth_user_id = 'm-fail'`)).toEqual([{ n: 0 }])
  })

  it('does the same for sessions: written with the session row, or not at all', async () => {
    const auth = initializeAuthServices({
      store: sqliteTokenStore(database.db),
      tokenManagerBuilders: [sessionsConfig({ onSessionCreated: ({ sessionId }) => [database.db.insert(tokenMetadata).values({ sessionId, deviceName: 'laptop' })] })],
    })
    const issued = await auth.tokenManager.issueToken({ authUserId: 's-user', method: 'email' })
    expect(await database.db.select().from(tokenMetadata).where(eq(tokenMetadata.sessionId, issued.tokenId))).toMatchObject([{ deviceName: 'laptop' }])
    await auth.tokenManager.revokeAllTokens({ authUserId: 's-user' })
    expect(await database.db.select().from(tokenMetadata).where(eq(tokenMetadata.sessionId, issued.tokenId))).toEqual([])

    const failing = initializeAuthServices({
      store: sqliteTokenStore(database.db),
      tokenManagerBuilders: [sessionsConfig({ onSessionCreated: () => [database.db.insert(tokenMetadata).values({ sessionId: 'no-such-session' })] })],
    })
    await expect(failing.tokenManager.issueToken({ authUserId: 's-fail', method: 'email' })).rejects.toMatchObject({ driverCode: expect.stringMatching(/^SQLITE_CONSTRAINT/) })
    expect(await database.query(`select count(*) as n from auth_session where auth_user_id = 's-fail'`)).toEqual([{ n: 0 }])
  })
})
