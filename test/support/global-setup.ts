// Runs once before the Node suite: fail loudly, with the fix, if the PostgreSQL server is not there.
import pg from 'pg'
import { serverUrl } from './postgres.ts'

export default async function setup() {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 })
  try {
    await client.connect()
    await client.query('select 1')
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${new URL(serverUrl).host} (${(error as Error).message}). ` +
        'Start it (e.g. `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`) or set DATABASE_URL.',
    )
  } finally {
    await client.end().catch(() => {})
  }
}
