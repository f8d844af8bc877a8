// A small Hono app over the real managers (multi: JWT primary + sessions), plus helpers to call it and to
// prove that no error response or console line carries a token, secret or pepper.
import { Hono } from 'hono'
import { vi } from 'vitest'
import type { AuthServices } from '../../src/index.ts'
import { authenticate, authRoutes, requireScopes, tokenCookies, type AuthSource } from '../../src/hono/index.ts'
import { secrets } from '../support/auth.ts'

export const cookieName = 'auth_token'

export function buildApp(auth: AuthSource | AuthServices) {
  const app = new Hono()
  app.route('/auth', authRoutes(auth, { cookies: tokenCookies({ session: cookieName }), realm: 'test "realm"' }))
  app.get('/api/me', authenticate({ auth, cookies: tokenCookies({ session: cookieName }), realm: 'test "realm"' }), (c) =>
    c.json({ ...c.var.auth, tokenLength: c.var.authToken.length }))
  app.get('/api/admin', authenticate({ auth }), requireScopes('admin', 'write'), (c) => c.json({ ok: c.var.auth.userIdentifier }))
  app.get('/api/public', authenticate({ auth, optional: true }), (c) => c.json({ user: c.var.auth?.userIdentifier ?? null }))
  app.get('/api/anonymous-admin', authenticate({ auth, optional: true }), requireScopes('admin'), (c) => c.json({ ok: true }))
  return app
}

export const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } })

export interface Exchange {
  status: number
  headers: Record<string, string>
  body: string
}

/** Calls the app and keeps the whole response as text, for assertions and leak checks. */
export async function call(app: Hono<any, any, any>, path: string, init?: RequestInit, env?: unknown, executionCtx?: ExecutionContextLike): Promise<Exchange> {
  const response = await app.request(path, init, env as never, executionCtx as never)
  // Every Set-Cookie line, one per line (Object.fromEntries would keep only the last).
  const cookies = response.headers.getSetCookie()
  const headers = { ...Object.fromEntries(response.headers), ...(cookies.length > 0 && { 'set-cookie': cookies.join('\n') }) }
  return { status: response.status, headers, body: await response.text() }
}

export interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void
  passThroughOnException(): void
  props: unknown
}

/** Everything written to the console while `run` runs. */
export function captureConsole() {
  const lines: string[] = []
  const spies = (['log', 'info', 'warn', 'error', 'debug', 'trace'] as const).map((method) =>
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(args.map((a) => (a instanceof Error ? `${a.stack} ${String((a as { cause?: unknown }).cause)}` : typeof a === 'string' ? a : JSON.stringify(a))).join(' '))
    }))
  return { lines, restore: () => spies.forEach((s) => s.mockRestore()) }
}

/** The configured secrets and peppers: none may ever show up outside the process. */
export const configuredSecrets = Object.values(secrets)

/** Substrings of `haystack` that are secrets: whole tokens, and the secret parts of JWTs (the signature). */
export function leaks(haystack: string, tokens: readonly string[]): string[] {
  const needles = [...configuredSecrets, ...tokens.flatMap((t) => [t, ...(t.split('.').length === 3 ? [t.split('.')[2]!] : [])])]
  return needles.filter((needle) => needle.length >= 8 && haystack.includes(needle))
}
