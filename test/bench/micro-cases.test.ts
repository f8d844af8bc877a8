// The benchmark must keep measuring the real thing as the library changes: every micro case builds its
// fixtures and every variant completes its successful work once — the same check `npm run bench` makes
// before timing. Nothing is timed here (performance is measured in bench/, never asserted in a test).
import { expect, it } from 'vitest'
import { microCases } from '../../bench/micro/cases.ts'

it('every micro benchmark variant builds and succeeds once', async () => {
  const cases = await microCases()
  const failed: string[] = []
  for (const c of cases) {
    for (const v of c.variants) {
      const ok = await v.run().then((result) => v.check(result), (error: unknown) => `${error}`)
      if (ok !== true) failed.push(`${c.id} / ${v.name}: ${ok === false ? 'check failed' : ok}`)
    }
  }
  expect(cases.map((c) => c.id)).toEqual(expect.arrayContaining(['hs512-validate', 'es512-validate', 'es512-cache', 'session-validate', 'refresh-hash', 'hs512-middleware', 'events-middleware', 'dpop-middleware']))
  expect(failed).toEqual([])
}, 60_000)
