// The seed's TokenMetadata example, in TypeScript, on every driver: a table related to the refresh token
// with cascade delete, filled by onRefreshTokenCreated atomically with the insert, then used to revoke
// by device; and the PAT example that inserts metadata after issueToken with jwtRefreshTokenId.
import { eq } from 'drizzle-orm'
import { pgTable, serial, text, uuid } from 'drizzle-orm/pg-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JwtTokenManager } from '../../src/index.ts'
import { authRefreshToken } from '../../src/drizzle/index.ts'
import { createAuth } from '../support/auth.ts'
import { driverNames, openDatabase, type OpenDatabase } from '../support/drivers.ts'

const tokenMetadata = pgTable('token_metadata', {
  id: serial('id').primaryKey(),
  refreshTokenId: uuid('refresh_token_id').references(() => authRefreshToken.id, { onDelete: 'cascade' }).unique(),
  name: text('name'),
  deviceName: text('device_name'),
  ipAddress: text('ip_address'),
  userAgent: text('user_agent'),
})

interface RequestInfo {
  ipAddress: string
  userAgent: string
  deviceName: string
}

describe.each(driverNames)('token metadata on %s', (driver) => {
  let database: OpenDatabase
  beforeAll(async () => {
    database = await openDatabase(driver)
    await database.query(`create table token_metadata (
      id serial primary key,
      refresh_token_id uuid unique references auth_refresh_token(id) on delete cascade,
      name text, device_name text, ip_address text, user_agent text)`)
  })
  afterAll(async () => database?.close())

  const setup = (fail = false) => {
    const { db } = database
    return createAuth(db, 'jwt', {
      jwt: {
        onRefreshTokenCreated: ({ refreshTokenId, context }) => {
          const request = context as RequestInfo
          const row = { refreshTokenId, name: 'general-token', ...request }
          // `fail` inserts the same refresh token twice: the unique index rejects the second row.
          return fail ? [db.insert(tokenMetadata).values(row), db.insert(tokenMetadata).values(row)] : [db.insert(tokenMetadata).values(row)]
        },
      },
    }).auth
  }

  it('stores metadata with the token, revokes by device, and cascades the delete', async () => {
    const auth = setup()
    const context = (deviceName: string): RequestInfo => ({ ipAddress: '203.0.113.7', userAgent: 'test-agent/1.0', deviceName })
    const old = await auth.tokenManager.issueToken({ authUserId: 'm-user', method: 'email', context: context('Old Device') })
    const current = await auth.tokenManager.issueToken({ authUserId: 'm-user', method: 'email', context: context('New Phone') })
    const stored = await database.db.select().from(tokenMetadata).where(eq(tokenMetadata.refreshTokenId, old.tokenId))
    expect(stored).toMatchObject([{ name: 'general-token', deviceName: 'Old Device', ipAddress: '203.0.113.7', userAgent: 'test-agent/1.0' }])

    // The seed's "revoke by metadata": find ids by device, revoke each.
    const rows = await database.db.select().from(tokenMetadata).where(eq(tokenMetadata.deviceName, 'Old Device'))
    for (const row of rows) await auth.tokenManager.revokeToken({ tokenId: row.refreshTokenId! })

    expect((await auth.tokenManager.listTokens({ authUserId: 'm-user' })).map((t) => t.tokenId)).toEqual([current.tokenId])
    expect(await database.db.select().from(tokenMetadata).where(eq(tokenMetadata.refreshTokenId, old.tokenId))).toEqual([])
    await expect(auth.getTokenManager(JwtTokenManager).refreshAccessToken(old.refreshToken!)).rejects.toMatchObject({ code: 'ERR_REFRESH_TOKEN_NOT_FOUND' })
  })

  it('leaves no token row when a callback write fails', async () => {
    const auth = setup(true)
    await expect(
      auth.tokenManager.issueToken({ authUserId: 'm-fail', method: 'email', context: { ipAddress: '', userAgent: '', deviceName: 'x' } }),
    ).rejects.toMatchObject({ code: 'ERR_STORAGE', sqlState: '23505' })
    expect(await auth.tokenManager.listTokens({ authUserId: 'm-fail' })).toEqual([])
    expect(await database.query(`select count(*)::int as n from auth_refresh_token where auth_user_id = 'm-fail'`)).toEqual([{ n: 0 }])
  })

  it('supports the PAT example: issue, then insert metadata with jwtRefreshTokenId', async () => {
    const { auth } = createAuth(database.db, 'jwt')
    const authSuccess = await auth.tokenManager.issueToken({ authUserId: 'm-pat', method: 'pat', scopes: ['admin'] })
    await database.db.insert(tokenMetadata).values({ refreshTokenId: authSuccess.jwtRefreshTokenId!, name: 'ci-token', deviceName: 'CI' })
    const [pat] = await auth.tokenManager.listTokens({ authUserId: 'm-pat', method: 'pat' })
    expect(pat).toMatchObject({ tokenId: authSuccess.jwtRefreshTokenId, scopes: ['admin'] })
    expect(await database.db.select({ name: tokenMetadata.name }).from(tokenMetadata).where(eq(tokenMetadata.refreshTokenId, pat!.tokenId))).toEqual([{ name: 'ci-token' }])
  })
})
