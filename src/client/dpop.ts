// DPoP on the client's requests (RFC 9449 §4, §8): a fresh proof on every request to the API and on every
// refresh, the access token's hash when one is sent, the server's latest nonce, and one retry when the
// server answers that a (new) nonce is due.
import { signDpopProof, type DpopKey } from '../crypto/dpop-sign.ts'

/** Sends requests with proofs. */
export interface DpopSender {
  /** Adds a proof to `request` (for `accessToken`, when one is sent) and sends it; retries once on a nonce challenge. */
  send(request: Request, accessToken: string | null, serverClockOffsetMs: number | undefined): Promise<Response>
}

/** Whether the answer asks for a nonce: 401 with `error="use_dpop_nonce"` (resource) or 400 with it in the body (token endpoint). */
async function asksForNonce(response: Response): Promise<boolean> {
  if (response.status === 401) return /error="?use_dpop_nonce"?/.test(response.headers.get('www-authenticate') ?? '')
  if (response.status !== 400) return false
  const body = await response.clone().json().catch(() => null)
  return (body as { error?: unknown } | null)?.error === 'use_dpop_nonce'
}

/**
 * Proofs with `key`, signed at this device's time plus the server clock offset the client estimated.
 *
 * @example
 * ```ts
 * const dpop = dpopSender(dpopKeyFor(channel), fetch, () => new Date())
 * const response = await dpop.send(new Request(url), accessToken, offsetMs)
 * ```
 */
export function dpopSender(key: Promise<DpopKey>, send: (request: Request) => Promise<Response>, clock: () => Date): DpopSender {
  let nonce: string | undefined

  async function attempt(request: Request, accessToken: string | null, offsetMs: number): Promise<Response> {
    const proof = await signDpopProof(await key, {
      method: request.method,
      url: request.url,
      iat: Math.floor((clock().getTime() + offsetMs) / 1000),
      ...(accessToken !== null && { accessToken }),
      ...(nonce !== undefined && { nonce }),
    })
    request.headers.set('dpop', proof)
    const response = await send(request)
    // Any answer may carry the nonce to use next (RFC 9449 §8.2).
    nonce = response.headers.get('dpop-nonce') ?? nonce
    return response
  }

  return {
    async send(request, accessToken, serverClockOffsetMs) {
      const offsetMs = serverClockOffsetMs ?? 0
      const retry = request.clone()
      const sentWith = nonce
      const response = await attempt(request, accessToken, offsetMs)
      if (nonce === sentWith || !(await asksForNonce(response))) return response
      return attempt(retry, accessToken, offsetMs)
    },
  }
}
