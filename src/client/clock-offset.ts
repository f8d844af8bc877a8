// A device's clock may be hours off the server's. The server states expiry on its own clock
// (`tokenExpiresAt`), so the client estimates `server − device` whenever an AuthSuccess arrives and
// measures what is left on the server's clock. The estimate travels with the AuthSuccess in storage:
// the tabs of a device share one clock, so they share the estimate too.
import type { AuthSuccessJson } from './types.ts'

/** What a sign-in result handed over by the app is assumed at most to be: its request took < 10 s. */
const signInLatencyMs = 10_000

/**
 * When an AuthSuccess reached this device (its clock, epoch ms) and what the server said the time was.
 * `sentAt` defaults to `receivedAt − 10 s` (a sign-in result that the app fetched itself).
 * `serverDate` is the response's HTTP `Date` header, when the client made the request and could read it.
 */
export interface AuthSuccessReceipt {
  receivedAt: number
  sentAt?: number
  serverDate?: string | null
}

/**
 * Returns `authSuccess` with `serverClockOffsetMs`: the server's clock minus this device's, estimated from
 * the response's `Date` header, else from the access token's `iat` claim (a JWT's payload is decoded,
 * never verified, and used for nothing but this). Both name a whole second the server read between
 * `sentAt` and `receivedAt`; of the offsets that agree with that, the one closest to 0 is kept, so
 * synchronised clocks give exactly 0 and a skewed clock is corrected to within about a second plus the
 * round trip. Without evidence, keeps `previous` (the device's clock did not change), else leaves it unset.
 */
export function withServerClockOffset(authSuccess: AuthSuccessJson, receipt: AuthSuccessReceipt, previous?: number): AuthSuccessJson {
  const { serverClockOffsetMs: _untrusted, ...rest } = authSuccess
  const serverSecond = httpDateMs(receipt.serverDate) ?? (authSuccess.token === null ? null : issuedAtMs(authSuccess.token))
  const sentAt = receipt.sentAt ?? receipt.receivedAt - signInLatencyMs
  const offset = serverSecond === null ? previous : closestToZero(serverSecond - receipt.receivedAt, serverSecond + 1_000 - sentAt)
  return offset === undefined ? rest : { ...rest, serverClockOffsetMs: offset }
}

/**
 * The `iat` claim of a JWT in epoch milliseconds, or `null` for an opaque token (a session key) or
 * anything unreadable. The signature is not checked: use this only to estimate clock skew.
 */
export function issuedAtMs(token: string): number | null {
  const parts = token.split('.')
  if (parts.length !== 3) return null
  try {
    const base64 = parts[1]!.replace(/-/g, '+').replace(/_/g, '/')
    const bytes = Uint8Array.from(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '=')), (c) => c.charCodeAt(0))
    const { iat } = JSON.parse(new TextDecoder().decode(bytes)) as { iat?: unknown }
    return typeof iat === 'number' && Number.isFinite(iat) ? iat * 1_000 : null
  } catch {
    return null
  }
}

function httpDateMs(value: string | null | undefined): number | null {
  const ms = value ? Date.parse(value) : NaN
  return Number.isFinite(ms) ? ms : null
}

/** The offset lies strictly between `lowest` and `highest`; prefer no correction when 0 is possible. */
function closestToZero(lowest: number, highest: number): number {
  return lowest > 0 ? lowest : highest < 0 ? highest : 0
}
