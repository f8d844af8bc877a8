// The micro cases inside workerd: a module Worker whose fetch runs every round and answers the results.
// Bundled and started by bench/micro/runtimes.ts. No mitata here: workerd forbids code generation.
import { loopSlice, runMicroRounds } from './rounds.ts'

export default {
  async fetch(request: Request): Promise<Response> {
    const params = new URL(request.url).searchParams
    const only = params.get('only')
    const results = await runMicroRounds({
      slice: loopSlice,
      rounds: Number(params.get('rounds') ?? 21),
      slowRounds: Number(params.get('slowRounds') ?? 3),
      ...(only && { only: new RegExp(only) }),
    })
    return Response.json({ runtime: 'workerd', results })
  },
}
