// The token fuzzer, shared by `npm run fuzz` (≥ 100 000 inputs per format) and the Vitest suite
// (≥ 5 000): fast-check feeds random strings, structurally valid random tokens and mutations of real
// issued tokens to the real managers on a real database. The oracle: nothing throws, and anything
// accepted is byte-for-byte a token the managers issued.
import { sql } from 'drizzle-orm'
import fc from 'fast-check'
import { EdgeTokenError, initializeAuthServices, JwtTokenManager, type AuthServices, type TokenStore } from '../../src/index.ts'
import { decodeBase64Url, encodeBase64Url } from '../../src/crypto/index.ts'
import { drizzleTokenStore, type AnyPgDatabase } from '../../src/drizzle/index.ts'
import { jwtConfig, sessionsConfig, testClock } from './auth.ts'
import { b64url } from './forge.ts'

export const fuzzFormats = ['jwt', 'refresh', 'session'] as const
export type FuzzFormat = (typeof fuzzFormats)[number]

export interface FuzzReport {
  format: FuzzFormat
  inputs: number
  /** Accepted inputs: each one is an issued token, byte for byte (else the run fails). */
  accepted: number
  /** Rejections by outcome: `null` or the error code. */
  rejected: Record<string, number>
  /** Inputs that were mutations of a real token but came out identical to it. */
  unchanged: number
  /** Inputs that passed every format check and were looked up in the database. */
  lookups: number
  ms: number
}

const base64urlChars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const refreshErrorCodes = new Set(['ERR_REFRESH_TOKEN_MALFORMED', 'ERR_REFRESH_TOKEN_NOT_FOUND', 'ERR_REFRESH_TOKEN_INVALID_SECRET', 'ERR_REFRESH_TOKEN_REUSED', 'ERR_REFRESH_TOKEN_EXPIRED'])

interface Op {
  kind: 'replace' | 'insert' | 'delete' | 'truncate' | 'duplicate' | 'swap' | 'case' | 'splice' | 'bit'
  at: number
  to: number
  char: string
}

const position = fc.noBias(fc.integer({ min: 0, max: 999_999 })).map((n) => n / 1_000_000)

const op: fc.Arbitrary<Op> = fc.record({
  // `bit` flips one bit of the decoded bytes and re-encodes canonically: the result is well-formed, so it
  // gets past the format checks to the lookup, the hash comparison and the signature check.
  kind: fc.constantFrom('bit', 'bit', 'bit', 'bit', 'replace', 'replace', 'replace', 'insert', 'delete', 'truncate', 'duplicate', 'swap', 'case', 'splice'),
  // Unbiased: fast-check otherwise favours 0 and 1, i.e. the prefix and the last character.
  at: position,
  to: position,
  char: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...base64urlChars) },
    { weight: 2, arbitrary: fc.constantFrom('.', '=', '+', '/', ' ', '%', '\n', '\u0000', '_', '-') },
    { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }) },
  ),
})

/** Flips one bit inside one base64url segment (picked by `which`) of a token, keeping it well-formed. */
function flipBit(token: string, at: number, which: number, bit: number): string {
  const body = token.replace(/^et(mrt|mst)_/, '')
  const prefix = token.slice(0, token.length - body.length)
  const segments = body.split('.')
  const index = Math.floor(which * segments.length)
  const bytes = decodeBase64Url(segments[index])
  if (!bytes || bytes.length === 0) return token
  bytes[Math.floor(at * bytes.length)]! ^= 1 << bit
  segments[index] = encodeBase64Url(bytes)
  return prefix + segments.join('.')
}

/** Applies mutation operations at relative positions, so one description fits any base token. */
export function mutate(base: string, ops: readonly Op[], donor: string): string {
  let text = base
  for (const { kind, at, to, char } of ops) {
    const i = Math.floor(at * text.length)
    const j = Math.floor(to * text.length)
    const [lo, hi] = i <= j ? [i, j] : [j, i]
    if (kind === 'replace') text = text.slice(0, i) + char + text.slice(i + 1)
    else if (kind === 'insert') text = text.slice(0, i) + char + text.slice(i)
    else if (kind === 'delete') text = text.slice(0, lo) + text.slice(Math.max(hi, lo + 1))
    else if (kind === 'truncate') text = text.slice(0, i)
    else if (kind === 'duplicate') text = text.slice(0, hi) + text.slice(lo, hi) + text.slice(hi)
    else if (kind === 'swap') text = text.slice(0, lo) + (text[hi] ?? '') + text.slice(lo + 1, hi) + (text[lo] ?? '') + text.slice(hi + 1)
    else if (kind === 'case') text = text.slice(0, i) + (text[i] === text[i]?.toUpperCase() ? text[i]?.toLowerCase() : text[i]?.toUpperCase() ?? '') + text.slice(i + 1)
    else if (kind === 'bit') text = flipBit(text, at, to, char.charCodeAt(0) & 7)
    else text = text.slice(0, lo) + donor.slice(Math.floor(at * donor.length), Math.floor(at * donor.length) + hi - lo + 1) + text.slice(hi)
  }
  return text
}

/** What the fuzzer sends: a mutation of the current real token, or something random. */
type FuzzInput = { mutation: Op[] } | { literal: string }

const built = new Map<FuzzFormat, fc.Arbitrary<FuzzInput>>()
// Built once: some arbitraries (binary strings) index a million code points the first time they shrink.
const inputs = (format: FuzzFormat) => built.get(format) ?? built.set(format, buildInputs(format)).get(format)!

function buildInputs(format: FuzzFormat): fc.Arbitrary<FuzzInput> {
  const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n })
  const shaped: Record<FuzzFormat, fc.Arbitrary<string>> = {
    // Header and claims of random shape, random signature bytes: exercises the parser and the verifier.
    jwt: fc.tuple(
      fc.record({ alg: fc.constantFrom('HS512', 'ES512', 'none', 'HS256', 'hs512'), typ: fc.constantFrom('JWT', 'jwt', 'at+jwt'), kid: fc.string() }, { requiredKeys: ['alg'] }),
      fc.oneof(fc.object(), fc.record({ sub: fc.string(), exp: fc.integer(), iat: fc.integer(), jti: fc.uuid(), 'dev.serverpod.refreshTokenId': fc.uuid() })),
      fc.oneof(bytes(64), bytes(132), fc.uint8Array({ maxLength: 200 })),
    ).map(([header, payload, signature]) => `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}.${b64url(signature)}`),
    // Right prefix, version and length, random id and secrets: reaches the database lookup.
    refresh: fc.tuple(fc.constantFrom(1, 2), bytes(16 + 16 + 32)).map(([version, rest]) => `etmrt_${b64url(Uint8Array.of(version, ...rest))}`),
    session: fc.tuple(fc.constantFrom(1, 2), fc.uint8Array({ minLength: 16 + 8, maxLength: 16 + 64 })).map(([version, rest]) => `etmst_${b64url(Uint8Array.of(version, ...rest))}`),
  }
  return fc.oneof(
    { weight: 8, arbitrary: op.map((one) => ({ mutation: [one] })) },
    { weight: 4, arbitrary: fc.array(op, { minLength: 2, maxLength: 4 }).map((mutation) => ({ mutation })) },
    { weight: 2, arbitrary: shaped[format].map((literal) => ({ literal })) },
    { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 600 }), fc.string({ unit: 'binary', maxLength: 300 }), fc.stringMatching(/^[\w.-]{0,600}$/)).map((literal) => ({ literal })) },
  )
}

/** The real managers, the tokens they issued, and the current token each format's mutations start from. */
async function harness(db: AnyPgDatabase, issued: Set<string>) {
  // Durability is not under test: skip the WAL flush on every commit, for this database only (a
  // refresh-token fuzz deletes a family on almost every other input).
  await db.execute(sql.raw("do $$ begin execute format('alter database %I set synchronous_commit = off', current_database()); end $$")).catch(() => {})
  await db.execute(sql.raw('set synchronous_commit = off')).catch(() => {}) // the pool's first, already open, connection
  const store = drizzleTokenStore(db)
  const lookups = { count: 0 }
  // Counts reads by id: how many inputs got past every format check to the database.
  const counted: TokenStore<unknown> = {
    ...store,
    findRefreshToken: (id) => (lookups.count++, store.findRefreshToken(id)),
    findSession: (id) => (lookups.count++, store.findSession(id)),
  }
  const clock = testClock()
  const auth = initializeAuthServices({ store: counted, clock, tokenManagerBuilders: [jwtConfig(), sessionsConfig()] })
  const sessions = initializeAuthServices({ store: counted, clock, tokenManagerBuilders: [sessionsConfig()] })
  const jwt = auth.getTokenManager(JwtTokenManager)
  const issue = async (target: AuthServices<unknown>) => {
    const success = await target.tokenManager.issueToken({ authUserId: `fuzz-${crypto.randomUUID()}`, method: 'fuzz' })
    for (const token of [success.token, success.refreshToken]) if (token) issued.add(token)
    return success
  }
  const pair = await issue(auth)
  const session = await issue(sessions)
  const current = { jwt: pair.token, refresh: pair.refreshToken!, session: session.token }
  // Fresh refresh token families, issued 100 at a time in parallel: a mutation that kills the family
  // it was made from (reuse detection) must not cost a sequential insert every time.
  const spare: string[] = []
  const refill = async () => spare.push(...(await Promise.all(Array.from({ length: 100 }, () => issue(auth)))).map((s) => s.refreshToken!))
  const nextFamily = async () => {
    if (spare.length === 0) await refill()
    current.refresh = spare.pop()!
  }
  return { auth, jwt, issued, current, lookups, nextFamily }
}

/**
 * Runs `runs` fuzz inputs of one format against the managers on `db`, in `lanes` independent fast-check
 * runs at once (each with its own managers and tokens; the database round trips overlap). Throws, with
 * fast-check's counterexample and seed, on the first input that throws or is accepted without having
 * been issued.
 *
 * @example
 * ```ts
 * const report = await fuzzFormat(database.db, 'session', 5_000)
 * ```
 */
export async function fuzzFormat(db: AnyPgDatabase, format: FuzzFormat, runs: number, options: { seed?: number; lanes?: number } = {}): Promise<FuzzReport> {
  const lanes = options.lanes ?? 4
  const issued = new Set<string>()
  const report: FuzzReport = { format, inputs: 0, accepted: 0, rejected: {}, unchanged: 0, lookups: 0, ms: 0 }
  const reject = (outcome: string) => void (report.rejected[outcome] = (report.rejected[outcome] ?? 0) + 1)
  const harnesses = await Promise.all(Array.from({ length: lanes }, () => harness(db, issued)))
  const donor = [...issued].join('.')
  let stopped = false
  const started = performance.now()

  const check = async (h: Awaited<ReturnType<typeof harness>>, input: FuzzInput) => {
    const token = 'literal' in input ? input.literal : mutate(h.current[format], input.mutation, donor)
    report.inputs++
    if ('mutation' in input && token === h.current[format]) report.unchanged++
    if (format !== 'refresh') {
      const info = await h.auth.tokenManager.validateToken(token)
      if (info === null) return reject('null')
      if (!issued.has(token)) throw new Error(`accepted a token that was never issued: ${JSON.stringify(token)}`)
      report.accepted++
      return
    }
    // A refresh token is never an access token, whatever it was mutated into.
    if ((await h.auth.tokenManager.validateToken(token)) !== null && !issued.has(token)) throw new Error(`accepted as access token: ${JSON.stringify(token)}`)
    const next = await h.jwt.refreshAccessToken(token).catch((error: unknown) => {
      if (!(error instanceof EdgeTokenError) || !refreshErrorCodes.has(error.code)) throw error
      return error.code
    })
    if (typeof next === 'string') {
      reject(next)
      // A wrong rotating secret with the right fixed secret counts as reuse and kills the family:
      // mutate a live one from now on.
      if (next === 'ERR_REFRESH_TOKEN_REUSED') await h.nextFamily()
      return
    }
    if (!issued.has(token)) throw new Error(`refreshed a token that was never issued: ${JSON.stringify(token)}`)
    report.accepted++
    issued.add(next.refreshToken!).add(next.token)
    h.current.refresh = next.refreshToken!
  }

  try {
    await Promise.all(harnesses.map((h, lane) => {
      const share = Math.floor(runs / lanes) + (lane < runs % lanes ? 1 : 0)
      const property = fc.asyncProperty(inputs(format), async (input) => {
        if (stopped) return
        await check(h, input).catch((error: unknown) => {
          stopped = true
          throw error
        })
      })
      return fc.assert(property, { numRuns: share, endOnFailure: true, ...(options.seed !== undefined && { seed: options.seed + lane }) })
    }))
  } finally {
    report.ms = performance.now() - started
    report.lookups = harnesses.reduce((sum, h) => sum + h.lookups.count, 0)
  }
  return report
}
