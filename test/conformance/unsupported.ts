// The documented outcome on a runtime whose Web Crypto lacks ECDSA P-521: configuring ES512 must fail
// at configuration time (`auth.ready`) with ERR_UNSUPPORTED_ALGORITHM, not at the first request.
// Every ES512 case runs this instead when `features.ES512` is false, so each runtime keeps the same
// case count and the "unsupported" answer is itself tested.
import { initializeAuthServices, JwtAlgorithm, JwtConfig, UnsupportedAlgorithmError } from 'edge-token-managers'
import { drizzleTokenStore } from 'edge-token-managers/drizzle'
import { equal, rejects } from './harness.ts'
import { secrets, type ConformanceContext } from './support.ts'

/** A P-521 key pair made once for these tests (not a secret): usable without generating keys in the runtime. */
export const fixedEs512PrivateJwk: JsonWebKey = {
  kty: 'EC',
  crv: 'P-521',
  x: 'AVx0mBUpwChUi3SS64owIgZGex1XFFho5ibNUCEfmjHVyo3EkwXynTCJjmN77XlznT37QQ8lyryEs-HS1FNagy4C',
  y: 'AX3CgXNkTJRlPNin65QjFs1H01vU7deHNmbCQYQQIz3cYGVrpkWXF7EeEU7dlSiLbSfN2MECgfmduwkGc8Bb6nDa',
  d: 'ACOLl9xx3Dpk8Jfq0qbTZdx9AJIulQgaebW-XTub3CqGrwsrqm1ZJlUC7j5clzAsdY9r_I8JcOvp5XT2YvKpe11n',
}

/** Asserts the unsupported outcome: construction succeeds, `ready` rejects with the typed error, nothing issues. */
export async function es512Unavailable(ctx: ConformanceContext): Promise<void> {
  const { d: _private, ...publicKey } = fixedEs512PrivateJwk
  const auth = initializeAuthServices({
    store: drizzleTokenStore(ctx.db),
    tokenManagerBuilders: [
      new JwtConfig({ algorithm: JwtAlgorithm.ecdsaSha512({ privateKey: fixedEs512PrivateJwk, publicKey }), refreshTokenHashPepper: secrets.refreshPepper }),
    ],
  })
  const error = await rejects(auth.ready, { type: UnsupportedAlgorithmError, code: 'ERR_UNSUPPORTED_ALGORITHM' }, 'auth.ready')
  equal(/P-521/.test(error.message), true, 'the message names the missing curve')
  await rejects(auth.tokenManager.issueToken({ authUserId: 'es512-unsupported', method: 'test' }), { code: 'ERR_UNSUPPORTED_ALGORITHM' }, 'issueToken')
}
