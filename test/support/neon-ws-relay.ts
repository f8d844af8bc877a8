// A WebSocket-to-TCP relay, the local stand-in for Neon's WebSocket proxy: `drizzle-orm/neon-serverless`
// (interactive transactions over WebSockets) then talks to the local PostgreSQL server. Test tooling only.
import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import { WebSocketServer } from 'ws'

/** Starts the relay; point `neonConfig.wsProxy` at `${host}/v2?address=<db host>:<db port>`. */
export async function startNeonWsRelay() {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  server.on('connection', (socket, request) => {
    const address = new URL(request.url ?? '/', 'http://relay').searchParams.get('address') ?? ''
    const [host, port] = address.split(':')
    const tcp = connect(Number(port), host)
    tcp.on('data', (data) => socket.send(data))
    tcp.on('close', () => socket.close())
    tcp.on('error', () => socket.terminate())
    socket.on('message', (data) => tcp.write(data as Buffer))
    socket.on('close', () => tcp.destroy())
    socket.on('error', () => tcp.destroy())
  })
  await new Promise((resolve) => server.once('listening', resolve))
  const { port } = server.address() as AddressInfo
  return {
    host: `127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      for (const client of server.clients) client.terminate()
      server.close(() => resolve())
    }),
  }
}
