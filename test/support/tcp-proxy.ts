// A TCP proxy for fault injection: sits between a driver and the server it talks to (Postgres, or the
// local Neon HTTP endpoint) and can cut the line without touching the server, which other test files
// share. Protocol-agnostic: it only forwards bytes.
import { createServer, connect, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'

/**
 * - `open`: forwards both ways.
 * - `refuse`: resets every live connection and every new one at once (the server "went away").
 * - `swallow-responses`: forwards requests but throws away what the server answers, so a write can
 *   commit while the client never hears of it (a lost response).
 * - `half-open`: the line hangs. Connections stay up and new ones are accepted, but no byte passes either
 *   way and nothing is ever closed or reset — what a dead NAT entry or a frozen peer looks like.
 * - `slow`: forwards both ways, each chunk held back `delayMs` (set with `setDelay`).
 */
export type ProxyMode = 'open' | 'refuse' | 'swallow-responses' | 'half-open' | 'slow'

export interface TcpProxy {
  readonly port: number
  readonly mode: ProxyMode
  /** Connections accepted since start (including the refused ones). */
  readonly accepted: number
  /** How many times the line was cut (`setMode('refuse' | 'swallow-responses')` from `open`). */
  readonly faults: number
  /**
   * `strand`: leaving `half-open`, the connections that lost bytes stay dead instead of being reset: open,
   * silent, never closed (a peer that never learns the line came back). Only new connections work.
   */
  setMode(mode: ProxyMode, options?: { strand?: boolean }): void
  /** Connections currently stranded (see `setMode`). */
  readonly stranded: number
  /** The delay of `slow` mode, per chunk and direction. */
  setDelay(ms: number): void
  /** Resets every idle-or-not connection once, the way a NAT or load balancer drops idle flows. */
  resetAll(): void
  close(): Promise<void>
}

/**
 * @example
 * ```ts
 * const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 })
 * proxy.setMode('refuse')   // cut: live sockets reset, new ones reset on accept
 * proxy.setMode('open')     // restored
 * ```
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: ProxyMode = 'open'
  let accepted = 0
  let faults = 0
  let delayMs = 0
  const pairs = new Set<[Socket, Socket]>()
  // Connections that lost part of a response: their protocol state is broken, so restoring resets them.
  const poisoned = new Set<[Socket, Socket]>()
  const stranded = new Set<[Socket, Socket]>()

  const server = createServer((client) => {
    accepted++
    if (mode === 'refuse') return void client.resetAndDestroy()
    const upstream = connect(target.port, target.host)
    const pair: [Socket, Socket] = [client, upstream]
    pairs.add(pair)
    const drop = () => {
      pairs.delete(pair)
      poisoned.delete(pair)
      stranded.delete(pair)
      client.destroy()
      upstream.destroy()
    }
    client.on('error', drop).on('close', drop)
    upstream.on('error', drop).on('close', drop)
    // `slow` is latency, not bandwidth: each chunk leaves `delayMs` after it arrived, in arrival order.
    let toUpstream = Promise.resolve()
    let toClient = Promise.resolve()
    // A timer may fire up to a millisecond early (it counts from the event loop's cached time): re-arm until due.
    const at = (due: number, send: () => void, resolve: (value: void) => void): void => {
      const wait = due - performance.now()
      if (wait <= 0) return void resolve(send())
      setTimeout(() => at(due, send, resolve), wait)
    }
    const later = (queue: Promise<void>, send: () => void) => {
      const due = performance.now() + delayMs
      return queue.then(() => new Promise<void>((resolve) => at(due, send, resolve)))
    }
    client.on('data', (chunk) => {
      if (stranded.has(pair)) return
      if (mode === 'half-open') return void poisoned.add(pair)
      if (mode === 'slow') toUpstream = later(toUpstream, () => void upstream.write(chunk))
      else upstream.write(chunk)
    })
    upstream.on('data', (chunk) => {
      if (stranded.has(pair)) return
      if (mode === 'swallow-responses' || mode === 'half-open') return void poisoned.add(pair)
      if (mode === 'slow') toClient = later(toClient, () => void client.write(chunk))
      else client.write(chunk)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))

  return {
    port: (server.address() as AddressInfo).port,
    get mode() {
      return mode
    },
    get accepted() {
      return accepted
    },
    get faults() {
      return faults
    },
    get stranded() {
      return stranded.size
    },
    setDelay(ms) {
      delayMs = ms
    },
    resetAll() {
      for (const pair of [...pairs]) {
        pair[0].resetAndDestroy()
        pair[1].destroy()
        pairs.delete(pair)
        poisoned.delete(pair)
        stranded.delete(pair)
      }
    },
    setMode(next, { strand = false } = {}) {
      if (mode === 'open' && next !== 'open') faults++
      if (strand && mode === 'half-open' && next !== 'refuse') {
        for (const pair of poisoned) stranded.add(pair)
        poisoned.clear()
      }
      mode = next
      for (const pair of next === 'refuse' ? [...pairs] : [...poisoned]) {
        pair[0].resetAndDestroy()
        pair[1].destroy()
        pairs.delete(pair)
        poisoned.delete(pair)
      }
    },
    async close() {
      for (const [client, upstream] of pairs) {
        client.destroy()
        upstream.destroy()
      }
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
