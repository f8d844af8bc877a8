// The module Worker that runs the conformance suite in workerd (through Miniflare, no nodejs_compat).
import { handleConformanceRequest } from './neon-entry.ts'

interface Env {
  DATABASE_URL: string
  NEON_HTTP_ENDPOINT: string
}

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    return handleConformanceRequest(request, { runtime: 'workerd', databaseUrl: env.DATABASE_URL, endpoint: env.NEON_HTTP_ENDPOINT })
  },
}
