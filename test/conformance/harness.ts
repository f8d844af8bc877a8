// A tiny test harness that runs unchanged on Node, workerd, Edge Runtime, Deno and Bun: no `node:*`,
// no globals beyond the language and Web APIs. Suites are plain arrays of cases, so a runner can list
// them (workerd runs one case per request) or register them with another framework (vitest).

export interface TestCase<Ctx> {
  name: string
  fn: (ctx: Ctx) => Promise<void> | void
}

export interface TestResult {
  name: string
  status: 'passed' | 'failed'
  ms: number
  error?: string
}

/** Collects cases under a prefix: `suite('jwt', (test) => { test('issues', async (ctx) => {…}) })`. */
export function suite<Ctx>(prefix: string, define: (test: (name: string, fn: TestCase<Ctx>['fn']) => void) => void): TestCase<Ctx>[] {
  const cases: TestCase<Ctx>[] = []
  define((name, fn) => cases.push({ name: `${prefix} › ${name}`, fn }))
  return cases
}

export class AssertionError extends Error {
  override name = 'AssertionError'
}

export function fail(message: string): never {
  throw new AssertionError(message)
}

export function assert(condition: unknown, message = 'expected a truthy value'): asserts condition {
  if (!condition) fail(message)
}

function show(value: unknown): string {
  if (value instanceof Date) return `Date(${value.toISOString()})`
  try {
    const text = JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? `bytes[${v.length}]` : v))
    return text === undefined ? String(value) : text.length > 200 ? `${text.slice(0, 200)}…` : text
  } catch {
    return String(value)
  }
}

export function equal<T>(actual: T, expected: T, message?: string): void {
  if (!Object.is(actual, expected)) fail(`${message ? `${message}: ` : ''}expected ${show(expected)}, got ${show(actual)}`)
}

function deepEqualValues(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime()
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const keysA = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined)
  const keysB = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined)
  if (keysA.length !== keysB.length) return false
  return keysA.every((k) => deepEqualValues((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
}

/** Structural equality; properties set to `undefined` count as absent. */
export function deepEqual(actual: unknown, expected: unknown, message?: string): void {
  if (!deepEqualValues(actual, expected)) fail(`${message ? `${message}: ` : ''}expected ${show(expected)}, got ${show(actual)}`)
}

export function match(actual: string, pattern: RegExp, message?: string): void {
  if (typeof actual !== 'string' || !pattern.test(actual)) fail(`${message ? `${message}: ` : ''}${show(actual)} does not match ${pattern}`)
}

/**
 * Awaits `action` and checks it rejects with an error of this class and `code`. Class identity is
 * checked by name as well as `instanceof`, so a mismatch reads clearly in the report.
 */
export async function rejects(
  action: Promise<unknown> | (() => unknown),
  expected: { name?: string; code?: string; type?: abstract new (...args: any[]) => Error },
  message?: string,
): Promise<Error> {
  const prefix = message ? `${message}: ` : ''
  let error: unknown
  try {
    await (typeof action === 'function' ? action() : action)
  } catch (e) {
    error = e
  }
  if (error === undefined) fail(`${prefix}expected ${expected.name ?? expected.type?.name ?? 'an error'}${expected.code ? ` (${expected.code})` : ''}, but nothing was thrown`)
  const got = error as Error & { code?: unknown }
  const describe = () => `${got?.name}${got?.code ? ` (${String(got.code)})` : ''}: ${got?.message}`
  if (expected.type && !(error instanceof expected.type)) fail(`${prefix}expected an instance of ${expected.type.name}, got ${describe()}`)
  if (expected.name && got?.name !== expected.name) fail(`${prefix}expected ${expected.name}, got ${describe()}`)
  if (expected.code && got?.code !== expected.code) fail(`${prefix}expected code ${expected.code}, got ${describe()}`)
  return got
}

/** `throws` for synchronous code (configuration errors are thrown by constructors). */
export function throws(action: () => unknown, expected: { name?: string; code?: string; type?: abstract new (...args: any[]) => Error }, message?: string): Promise<Error> {
  return rejects(action, expected, message)
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    const cause = (error as { cause?: unknown }).cause
    const causeText = cause instanceof Error ? ` [cause: ${cause.name}: ${cause.message}]` : ''
    return `${error.name}${code ? ` (${String(code)})` : ''}: ${error.message}${causeText}`
  }
  return String(error)
}

/** Runs cases one after another (they share one database and must not race); never throws. */
export async function runCase<Ctx>(testCase: TestCase<Ctx>, ctx: Ctx): Promise<TestResult> {
  const started = Date.now()
  try {
    await testCase.fn(ctx)
    return { name: testCase.name, status: 'passed', ms: Date.now() - started }
  } catch (error) {
    return { name: testCase.name, status: 'failed', ms: Date.now() - started, error: describeError(error) }
  }
}
