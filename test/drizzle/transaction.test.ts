// issueToken({ transaction }) on drivers with interactive transactions: the token row (and the
// callback's writes) commit or roll back with the app's own transaction.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAuth } from '../support/auth.ts'
import { openDatabase, transactionalDriverNames, type OpenDatabase } from '../support/drivers.ts'

describe.each(transactionalDriverNames)('issueToken inside an app transaction on %s', (driver) => {
  let database: OpenDatabase
  beforeAll(async () => void (database = await openDatabase(driver)))
  afterAll(async () => database?.close())

  const rowCount = async (table: string, authUserId: string) =>
    (await database.query(`select count(*)::int as n from ${table} where auth_user_id = $1`, [authUserId]))[0]!.n

  it.each(['jwt', 'session'] as const)('%s: commits with the transaction and disappears with its rollback', async (kind) => {
    const { auth } = createAuth(database.db, kind)
    const table = kind === 'jwt' ? 'auth_refresh_token' : 'auth_session'
    const committed = await database.db.transaction((tx) => auth.tokenManager.issueToken({ authUserId: `tx-commit-${kind}`, method: 'email', transaction: tx }))
    expect(await rowCount(table, `tx-commit-${kind}`)).toBe(1)
    expect(await auth.tokenManager.validateToken(committed.token)).toMatchObject({ userIdentifier: `tx-commit-${kind}` })

    const rolledBack = new Error('the app changed its mind')
    await expect(
      database.db.transaction(async (tx) => {
        await auth.tokenManager.issueToken({ authUserId: `tx-rollback-${kind}`, method: 'email', transaction: tx })
        throw rolledBack
      }),
    ).rejects.toBe(rolledBack)
    expect(await rowCount(table, `tx-rollback-${kind}`)).toBe(0)
  })
})
