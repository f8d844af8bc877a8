// One suite, every manager (JWT, sessions, Multi), every driver (PGlite, node-postgres, neon-http, neon-serverless):
// the TokenManager contract from the seed docs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuthServices, TokenManager } from '../../src/index.ts'
import { createAuth, garbageTokens, type ManagerKind } from '../support/auth.ts'
import { driverNames, openDatabase, type OpenDatabase } from '../support/drivers.ts'

const kinds: ManagerKind[] = ['jwt', 'session', 'multi']
const issuerOf = { jwt: 'jwt', session: 'session', multi: 'jwt' } as const

describe.each(driverNames)('on %s', (driver) => {
  let database: OpenDatabase
  beforeAll(async () => void (database = await openDatabase(driver)))
  afterAll(async () => database?.close())

  describe.each(kinds)('%s manager', (kind) => {
    let auth: AuthServices<unknown>
    let manager: TokenManager
    // Each test uses its own user ids, so tests need no cleanup and cannot see each other's tokens.
    const user = (name: string) => `${kind}-${name}`

    beforeAll(async () => {
      auth = createAuth(database.db, kind).auth
      manager = auth.tokenManager
      await auth.ready
    })

    it('issues a token that validates to the same user, scopes and id', async () => {
      const issued = await manager.issueToken({ authUserId: user('a'), method: 'email', scopes: ['read', 'write', 'read'] })
      expect(issued.authStrategy).toBe(issuerOf[kind])
      expect(issued.scopeNames).toEqual(['read', 'write'])
      const info = await manager.validateToken(issued.token)
      expect(info).toMatchObject({ userIdentifier: user('a'), scopes: ['read', 'write'], tokenIssuer: issuerOf[kind] })
      // authId is the id list/revoke use.
      expect(info!.authId).toBe(issued.tokenId)
      const listed = await manager.listTokens({ authUserId: user('a') })
      expect(listed.map((t) => t.tokenId)).toEqual([issued.tokenId])
      expect(listed[0]).toMatchObject({ authUserId: user('a'), method: 'email', scopes: ['read', 'write'], tokenIssuer: issuerOf[kind] })
      expect(listed[0]!.createdAt).toBeInstanceOf(Date)
    })

    it('revokes one token by id and leaves the others', async () => {
      const a = await manager.issueToken({ authUserId: user('r1'), method: 'email' })
      const b = await manager.issueToken({ authUserId: user('r1'), method: 'email' })
      await manager.revokeToken({ tokenId: a.tokenId })
      expect((await manager.listTokens({ authUserId: user('r1') })).map((t) => t.tokenId)).toEqual([b.tokenId])
      if (issuerOf[kind] === 'session') expect(await manager.validateToken(a.token)).toBeNull()
      expect(await manager.validateToken(b.token)).not.toBeNull()
    })

    it('revokes all by user, by method, by both and by none', async () => {
      const [u1, u2] = [user('all1'), user('all2')]
      for (const [authUserId, method] of [[u1, 'email'], [u1, 'google'], [u2, 'email'], [u2, 'google']] as const) {
        await manager.issueToken({ authUserId, method })
      }
      const methodsOf = async (authUserId: string) => (await manager.listTokens({ authUserId })).map((t) => t.method).sort()

      await manager.revokeAllTokens({ authUserId: u1, method: 'email' })
      expect(await methodsOf(u1)).toEqual(['google'])
      expect(await methodsOf(u2)).toEqual(['email', 'google'])

      await manager.revokeAllTokens({ authUserId: u2 })
      expect(await methodsOf(u2)).toEqual([])
      expect(await methodsOf(u1)).toEqual(['google'])

      await manager.issueToken({ authUserId: u2, method: 'google' })
      await manager.revokeAllTokens({ authUserId: null, method: 'google' })
      expect(await methodsOf(u1)).toEqual([])
      expect(await methodsOf(u2)).toEqual([])

      await manager.issueToken({ authUserId: u1, method: 'apple' })
      await manager.revokeAllTokens({ authUserId: null })
      expect(await manager.listTokens({ authUserId: null })).toEqual([])
    })

    it('lists with user, method, both and no filter', async () => {
      const [u1, u2] = [user('l1'), user('l2')]
      await manager.issueToken({ authUserId: u1, method: 'email' })
      await manager.issueToken({ authUserId: u1, method: 'google' })
      await manager.issueToken({ authUserId: u2, method: 'google' })
      expect((await manager.listTokens({ authUserId: u1, method: 'google' })).map((t) => t.authUserId)).toEqual([u1])
      const google = await manager.listTokens({ authUserId: null, method: 'google' })
      expect(google.filter((t) => t.authUserId.startsWith(user('l'))).map((t) => t.authUserId).sort()).toEqual([u1, u2])
      const everyone = await manager.listTokens({ authUserId: null })
      expect(everyone.filter((t) => [u1, u2].includes(t.authUserId))).toHaveLength(3)
    })

    it('acts only for its own tokenIssuer', async () => {
      const other = issuerOf[kind] === 'jwt' ? 'session' : 'jwt'
      const issued = await manager.issueToken({ authUserId: user('iss'), method: 'email' })
      expect(await manager.listTokens({ authUserId: user('iss'), tokenIssuer: other })).toEqual([])
      await manager.revokeToken({ tokenId: issued.tokenId, tokenIssuer: other })
      await manager.revokeAllTokens({ authUserId: user('iss'), tokenIssuer: other })
      expect(await manager.listTokens({ authUserId: user('iss'), tokenIssuer: issuerOf[kind] })).toHaveLength(1)
      await manager.revokeToken({ tokenId: issued.tokenId, tokenIssuer: issuerOf[kind] })
      expect(await manager.listTokens({ authUserId: user('iss') })).toEqual([])
    })

    it('treats unknown and malformed ids as no error', async () => {
      await expect(manager.revokeToken({ tokenId: crypto.randomUUID() })).resolves.toBeUndefined()
      await expect(manager.revokeToken({ tokenId: 'not-a-uuid' })).resolves.toBeUndefined()
      await expect(manager.revokeToken({ tokenId: "'; drop table auth_session; --" })).resolves.toBeUndefined()
      await expect(manager.revokeAllTokens({ authUserId: 'nobody-at-all' })).resolves.toBeUndefined()
      expect(await manager.listTokens({ authUserId: 'nobody-at-all' })).toEqual([])
    })

    it('answers null, never throws, for empty and garbage tokens', async () => {
      for (const token of garbageTokens) expect(await manager.validateToken(token)).toBeNull()
      expect(await manager.validateToken(undefined as unknown as string)).toBeNull()
      expect(await manager.validateToken(42 as unknown as string)).toBeNull()
    })

    it('rejects a token whose secret was altered', async () => {
      const issued = await manager.issueToken({ authUserId: user('tamper'), method: 'email' })
      const last = issued.token.at(-2) === 'A' ? 'B' : 'A'
      const tampered = issued.token.slice(0, -2) + last + issued.token.at(-1)
      expect(await manager.validateToken(tampered)).toBeNull()
    })
  })
})
