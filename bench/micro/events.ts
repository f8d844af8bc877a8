// The events case: a request through `authenticate` (app.fetch, in-process; in workerd inside the isolate)
// with events off and on, the handler only counting. A valid token emits nothing, so (on − off) is what the
// machinery costs the hot path; a token with a bad signature emits `validation-failed`, reported every
// time (no cap) or under the default cap of 60 a minute (the rest only counted). Deliveries run on later
// tasks of the same loop, so their cost is inside the measured throughput.
import { Hono } from 'hono'
import { JwtAlgorithm } from '../../src/index.ts'
import { authenticate } from '../../src/hono/index.ts'
import { jwtServices, type AlgorithmFixture } from './fixtures.ts'
import type { Case } from './cases.ts'

const answer = { ok: true }

/** Events the counting handlers received, so a run can show that delivery happened. */
export const delivered = { count: 0 }

export function eventsCase(hs: AlgorithmFixture): Case {
  const key = () => JwtAlgorithm.hmacSha512(hs.verifyKey)
  const onEvent = () => void delivered.count++
  const app = new Hono()
  app.get('/noop', (c) => c.json(answer))
  app.get('/off', authenticate({ auth: jwtServices(key()) }), (c) => c.json(answer))
  app.get('/on', authenticate({ auth: jwtServices(key(), 0, { onEvent }) }), (c) => c.json(answer))
  app.get('/on-uncapped', authenticate({ auth: jwtServices(key(), 0, { onEvent, validationFailures: { perMinute: 1e9 } }) }), (c) => c.json(answer))
  // A middle character of the signature changed: the right shape, the wrong signature.
  const dot = hs.token.lastIndexOf('.')
  const at = dot + 20
  const bad = hs.token.slice(0, at) + (hs.token[at] === 'A' ? 'B' : 'A') + hs.token.slice(at + 1)
  const get = (path: string, token = hs.token) => async () => app.fetch(new Request(`http://bench.local${path}`, { headers: { authorization: `Bearer ${token}` } }))
  const status = (expected: number) => (r: unknown) => (r as Response).status === expected
  return {
    id: 'events-middleware',
    title: 'HS512 request through authenticate, events off / on (handler counts)',
    variants: [
      { name: 'raw', run: get('/noop'), check: status(200) },
      { name: 'valid token, events off', run: get('/off'), check: status(200) },
      { name: 'valid token, events on', run: get('/on'), check: status(200) },
      { name: 'bad signature, events off', run: get('/off', bad), check: status(401) },
      { name: 'bad signature, events on (capped 60/min)', run: get('/on', bad), check: status(401) },
      { name: 'bad signature, events on (every one reported)', run: get('/on-uncapped', bad), check: status(401) },
    ],
  }
}
