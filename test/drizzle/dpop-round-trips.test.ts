// DPoP keeps the storage budget, counted on real Postgres (node-postgres): a bound sign-in is 1 round
// trip, a refresh with its key 1 (the swap itself checks the key), validation 0. A refresh with another
// key misses the swap and is refused after one read, before anything is spent — even in strict mode.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JwtTokenManager } from '../../src/index.ts'
import { createAuth, testClock } from '../support/auth.ts'
import { dpopKey, proofAt } from '../support/dpop.ts'
import { openCountedDatabase, type CountedDatabase } from '../support/round-trips.ts'

const url = 'https://app.example/auth/refresh'
let database: CountedDatabase
beforeAll(async () => void (database = await openCountedDatabase('node-postgres')))
afterAll(async () => database?.close())

describe('DPoP round trips', () => {
  it('bound issue 1, refresh with its key 1, bound validate 0; another key: 2 and nothing spent', async () => {
    const clock = testClock()
    const { auth } = createAuth(database.db, 'jwt', { clock, jwt: { dpop: 'optional', refreshTokenRotationGracePeriod: 0 } })
    await auth.ready
    const jwt = auth.getTokenManager(JwtTokenManager)
    const key = await dpopKey()
    const request = async (signer = key) => ({ proof: await proofAt(signer, clock, { method: 'POST', url }), method: 'POST', url })

    const dpop = await request()
    const issued = await database.count(() => jwt.issueToken({ authUserId: 'rt-dpop', method: 'test', dpop }))
    expect(issued.roundTrips).toBe(1)

    const otherKey = await request(await dpopKey())
    const refused = await database.count(() => jwt.refreshAccessToken(issued.result.refreshToken!, { dpop: otherKey }).catch((e: { code: string }) => e.code))
    expect(refused).toMatchObject({ result: 'ERR_DPOP_KEY_MISMATCH', roundTrips: 2 })

    // Strict mode: had the refused attempt rotated the secret, this would be a reuse that kills the family.
    const mine = await request()
    const refreshed = await database.count(() => jwt.refreshAccessToken(issued.result.refreshToken!, { dpop: mine }))
    expect(refreshed.roundTrips).toBe(1)
    expect(refreshed.result.dpopJkt).toBe(issued.result.dpopJkt)

    const proof = await jwt.dpopVerifier!.verify(
      await proofAt(key, clock, { method: 'GET', url: 'https://app.example/api/me', accessToken: refreshed.result.token }),
      { method: 'GET', url: 'https://app.example/api/me', accessToken: refreshed.result.token },
    )
    const validated = await database.count(() => jwt.validateToken(refreshed.result.token, { dpop: proof }))
    expect(validated).toMatchObject({ roundTrips: 0, result: { userIdentifier: 'rt-dpop' } })
  })
})
