/** The deepest cause: the driver's own error. Drizzle's wrapper quotes the query parameters (hashes). */
export function driverErrorOf(error: unknown): unknown {
  // A cause chain that loops back ends at its last new error instead of hanging the request.
  const seen = new Set([error])
  let e = error
  while (e && typeof e === 'object') {
    const cause = (e as { cause?: unknown }).cause
    if (!cause || seen.has(cause)) break
    seen.add(cause)
    e = cause
  }
  return e
}

// Fields that name things (constraint, table, socket call) but never quote values. Left out: `detail`
// ("Failing row contains (…)" quotes the row, hashes included), `where`, `internalQuery`, parameters.
const safeFields = ['code', 'severity', 'schema', 'table', 'column', 'dataType', 'constraint', 'routine', 'errno', 'syscall', 'address', 'port']

// D1 quotes a refused parameter ("Type 'object' not supported for value '…'"): keep the type, drop the value.
const quotedValue = /(value )'[^']*'/g

/**
 * The driver's error reduced to what is safe to log: its name, message (without quoted values), stack and
 * naming fields.
 *
 * @example
 * ```ts
 * console.error(safeCause(error)) // never the failing query's parameters
 * ```
 */
export function safeCause(error: unknown): Error | undefined {
  const driver = driverErrorOf(error)
  if (!(driver instanceof Error)) return undefined
  // Node reports a host with several addresses as an AggregateError whose own message is empty.
  const errors = (driver as { errors?: unknown }).errors
  const message = driver.message || (Array.isArray(errors) ? errors.map((e) => (e as Error)?.message).filter(Boolean).join('; ') : '')
  const cause = new Error(message.replace(quotedValue, "$1'…'"))
  cause.name = driver.name
  if (driver.stack !== undefined) cause.stack = driver.stack.replace(quotedValue, "$1'…'")
  const from = driver as unknown as Record<string, unknown>
  for (const field of safeFields) if (from[field] !== undefined) Object.assign(cause, { [field]: from[field] })
  return cause
}
