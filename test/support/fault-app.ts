// What the fault tests put in front of a broken database: the Hono middleware and routes as an app
// mounts them, and the requests a client sends.
import { Hono } from 'hono'
import { afterAll, expect } from 'vitest'
import { authenticate, authRoutes } from '../../src/hono/index.ts'
import type { AuthServices } from '../../src/index.ts'
import { createFigures, type Figures } from './figures.ts'

export function faultApp(auth: AuthServices<unknown>) {
  const app = new Hono()
  app.get('/me', authenticate({ auth }), (c) => c.json({ user: c.var.auth.userIdentifier }))
  app.route('/auth', authRoutes(auth))
  return app
}

export const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } })
export const refreshBody = (refreshToken: string) =>
  ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken }) })

/** This file's figures, failing the file if anything was left unhandled. */
export function faultFigures(file: string): Figures {
  const figures = createFigures(file)
  figures.watchUnhandled()
  afterAll(() => {
    figures.write()
    expect(figures.get('unhandledExceptions')).toBe(0)
  })
  return figures
}
