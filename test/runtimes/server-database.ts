// For runtimes that reach Postgres over HTTP (workerd, Edge Runtime): a fresh migrated database on the
// local server (with Serverpod's tables too), and the Neon SQL-over-HTTP endpoint in front of it. `close()` stops both.
import { startNeonHttpServer } from '../../scripts/neon-http/server.ts'
import { createServerDatabase } from '../support/postgres.ts'

export async function neonHttpDatabase(runtime: string) {
  const database = await createServerDatabase(`conformance_${runtime}`, { serverpod: true })
  const endpoint = await startNeonHttpServer({ port: 0 })
  return {
    databaseUrl: database.url,
    endpoint: endpoint.url,
    async close() {
      await endpoint.close()
      await database.drop()
    },
  }
}
