// The error codes are API: users branch on them. One table lists them all; no code is used that the
// table lacks, none is listed that nothing reports, and every error class carries a listed code.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import * as library from '../../src/index.ts'
import { EdgeTokenError, errorCodes } from '../../src/index.ts'

const src = join(import.meta.dirname, '..', '..', 'src')
// The two tables themselves (meanings, HTTP answers) list every code; what reports a code is the rest.
const tables = [join(src, 'crypto', 'error-codes.ts'), join(src, 'hono', 'errors.ts')]
const sources = readdirSync(src, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && e.name.endsWith('.ts') && !tables.includes(join(e.parentPath, e.name)))
  .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'))
const usedCodes = new Set(sources.flatMap((text) => [...text.matchAll(/'(ERR_[A-Z_]+)'/g)].map((m) => m[1]!)))

describe('error codes', () => {
  it('every code in src/ is in the table, and every code in the table is reported somewhere', () => {
    expect([...usedCodes].filter((code) => !(code in errorCodes))).toEqual([])
    expect(Object.keys(errorCodes).filter((code) => !usedCodes.has(code))).toEqual([])
  })

  it('every exported error class reports a listed code, and its meaning is a sentence', () => {
    const classes = (Object.values(library) as unknown[]).filter((value): value is typeof EdgeTokenError =>
      typeof value === 'function' && value.prototype instanceof EdgeTokenError)
    expect(classes.length).toBeGreaterThan(10)
    for (const ErrorClass of classes) {
      // Subclasses fix their code; their arguments are a message detail or a cause.
      const error = new (ErrorClass as unknown as new (a: string, b: string) => EdgeTokenError)('x', 'y')
      expect(Object.keys(errorCodes), ErrorClass.name).toContain(error.code)
      expect(errorCodes[error.code]).toMatch(/^\S.{10,}\.\)?$/)
    }
  })
})
