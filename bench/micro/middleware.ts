// The Hono middleware case: a whole request through `app.fetch`, in-process (in workerd: inside the
// isolate, no proxy between), per route. The floor ('raw') is the same JSON answer without
// authentication, so (route − raw) is what authentication costs a request.
import { Hono } from 'hono'
import { jwt as honoJwt } from 'hono/jwt'
import { JwtAlgorithm } from '../../src/index.ts'
import { authenticate } from '../../src/hono/index.ts'
import { jwtServices, secret, type AlgorithmFixture } from './fixtures.ts'
import type { Case } from './cases.ts'

const answer = { ok: true }

export function middlewareCase(hs: AlgorithmFixture): Case {
  const app = new Hono()
  app.get('/noop', (c) => c.json(answer))
  app.get('/etm', authenticate({ auth: jwtServices(JwtAlgorithm.hmacSha512(hs.verifyKey), 0) }), (c) => c.json(answer))
  app.get('/etm-cached', authenticate({ auth: jwtServices(JwtAlgorithm.hmacSha512(hs.verifyKey), 1024) }), (c) => c.json(answer))
  app.get('/hono', honoJwt({ secret: hs.verifyKey, alg: 'HS512' }), (c) => c.json(answer))
  app.get('/hono-string', honoJwt({ secret, alg: 'HS512' }), (c) => c.json(answer))
  const headers = { authorization: `Bearer ${hs.token}` }
  const get = (path: string) => async () => app.fetch(new Request(`http://bench.local${path}`, { headers }))
  const ok = (r: unknown) => (r as Response).status === 200
  return {
    id: 'hs512-middleware',
    title: 'HS512 request through Hono middleware (app.fetch)',
    variants: [
      { name: 'raw', run: get('/noop'), check: ok },
      { name: 'library', run: get('/etm'), check: ok },
      { name: 'library (cache hit)', run: get('/etm-cached'), check: ok },
      { name: 'hono', run: get('/hono'), check: ok },
      { name: 'hono (string secret)', run: get('/hono-string'), check: ok },
    ],
  }
}
