// The conformance suite as a Vercel Edge Runtime function: a fetch event listener, evaluated by EdgeVM.
// The runner defines CONFORMANCE_TARGET in the VM's global scope (Edge has no `env` argument).
import { handleConformanceRequest, type NeonTarget } from './neon-entry.ts'

declare const CONFORMANCE_TARGET: NeonTarget

addEventListener('fetch', (event) => {
  const fetchEvent = event as Event & { request: Request; respondWith(response: Promise<Response>): void }
  fetchEvent.respondWith(handleConformanceRequest(fetchEvent.request, CONFORMANCE_TARGET))
})
