// Why an access token failed, worked out only for failures that will be reported (after the response):
// the validator itself answers null without a reason, and must stay a single pass.
import { decodeJsonPart, jwsVerifier, type JwsKey } from '../crypto/jws-verifier.ts'
import { timeClaimsHold } from './access-token.ts'
import type { ManagerClock } from './clock.ts'
import type { AuthEvents } from './event-delivery.ts'
import type { ValidationFailureReason } from './events.ts'
import type { EventOptions } from './types.ts'

/** Two dots, no more: the compact JWS shape. A session or refresh token has none. */
export function looksLikeJws(token: string): boolean {
  const first = token.indexOf('.')
  const second = first < 0 ? -1 : token.indexOf('.', first + 1)
  return second > 0 && token.indexOf('.', second + 1) < 0
}

/**
 * A diagnosis for access tokens signed by `keys`: the reason `token` is not valid at `nowMs`.
 *
 * @example
 * ```ts
 * const diagnose = accessTokenDiagnosis(keys, { issuer: undefined, clockToleranceMs: 5_000 })
 * await diagnose(expiredToken, Date.now()) // 'expired'
 * ```
 */
export function accessTokenDiagnosis(keys: readonly JwsKey[], rules: { issuer: string | undefined; clockToleranceMs: number }) {
  const signed = jwsVerifier<null, Record<string, unknown>>(keys, (payloadPart) => decodeJsonPart(payloadPart))
  return async (token: string, nowMs: number): Promise<ValidationFailureReason> => {
    if (!looksLikeJws(token) || token.length > 16_384) return 'malformed'
    const [headerPart, payloadPart] = token.split('.') as [string, string]
    const header = decodeJsonPart(headerPart)
    if (!header || typeof header.alg !== 'string' || !decodeJsonPart(payloadPart)) return 'malformed'
    const sameAlg = keys.filter((k) => k.alg === header.alg)
    if (sameAlg.length === 0) return 'unknown-key'
    // A kid no key has, where every key has one: signed by a key we never had (or one retired).
    if (typeof header.kid === 'string' && sameAlg.every((k) => k.kid !== undefined && k.kid !== header.kid)) return 'unknown-key'
    const payload = await signed(token, null)
    if (!payload) return 'bad-signature'
    if (!timeClaimsHold(payload, nowMs, rules.clockToleranceMs)) {
      const { exp } = payload
      return typeof exp === 'number' && exp * 1000 + rules.clockToleranceMs <= nowMs ? 'expired' : typeof exp === 'number' ? 'not-yet-valid' : 'malformed'
    }
    if (payload.iss !== rules.issuer) return 'wrong-issuer'
    return 'malformed'
  }
}

/**
 * Reports a failed validation of a JWT-shaped token (others are not this manager's to judge) as a
 * `validation-failed` event whose reason is worked out during delivery; always answers null.
 *
 * @example
 * ```ts
 * const failed = accessTokenFailures(events, () => keys.promise.then((k) => k.verification), rules, clock)
 * return info ?? failed(token, options)
 * ```
 */
export function accessTokenFailures(
  events: AuthEvents,
  keys: () => Promise<readonly JwsKey[]>,
  rules: { issuer: string | undefined; clockToleranceMs: number },
  clock: ManagerClock,
): (token: string, options: EventOptions | undefined) => null {
  let diagnose: Promise<ReturnType<typeof accessTokenDiagnosis>> | undefined
  return (token, options) => {
    if (typeof token !== 'string' || !looksLikeJws(token)) return null
    const nowMs = clock.now().getTime()
    events.validationFailed(options, 'jwt', async () => (await (diagnose ??= keys().then((k) => accessTokenDiagnosis(k, rules))))(token, nowMs))
    return null
  }
}
