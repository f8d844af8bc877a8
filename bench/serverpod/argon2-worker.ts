// workerd (module Worker) and Edge Runtime (fetch listener) answer the measurement as JSON. Local workerd
// advances performance.now() during a request, so the timing inside the Worker is meaningful there.
import { measureArgon2 } from './argon2-cases.ts'

const answer = async (runtime: string) => Response.json(await measureArgon2(runtime))

const global = globalThis as { EdgeRuntime?: unknown; addEventListener?: (type: string, listener: (event: { respondWith(r: Promise<Response>): void }) => void) => void }
if (typeof global.EdgeRuntime === 'string') global.addEventListener?.('fetch', (event) => event.respondWith(answer('edge')))

export default { fetch: () => answer('workerd') }
