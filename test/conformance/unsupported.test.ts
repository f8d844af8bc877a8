// The "unsupported" branch of the conformance suite, exercised on Node by hiding ECDSA P-521 from Web
// Crypto: features.ts must notice, every ES512 case must then pass by asserting the documented outcome
// (ERR_UNSUPPORTED_ALGORITHM at auth.ready), and the rest of the suite must be unaffected. No runtime
// here lacks P-521, so without this test that branch would never run.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { openDatabase, type OpenDatabase } from '../support/drivers.ts'
import { es512Tests } from './es512.ts'
import { runCase } from './harness.ts'
import { conformanceCasesFor, measureFeatures, runConformance, type ConformanceContext } from './index.ts'

const isP521 = (algorithm: unknown) => (algorithm as { namedCurve?: string })?.namedCurve === 'P-521'

describe('a runtime without P-521', () => {
  let database: OpenDatabase
  beforeAll(async () => {
    const subtle = crypto.subtle
    const { generateKey, importKey } = subtle
    vi.spyOn(subtle, 'generateKey').mockImplementation(((algorithm: AlgorithmIdentifier, ...rest: [boolean, KeyUsage[]]) =>
      isP521(algorithm) ? Promise.reject(new DOMException('Unrecognized namedCurve', 'NotSupportedError')) : generateKey.call(subtle, algorithm, ...rest)) as typeof subtle.generateKey)
    vi.spyOn(subtle, 'importKey').mockImplementation(((format: any, data: any, algorithm: AlgorithmIdentifier, ...rest: [boolean, KeyUsage[]]) =>
      isP521(algorithm) ? Promise.reject(new DOMException('Unrecognized namedCurve', 'NotSupportedError')) : importKey.call(subtle, format, data, algorithm, ...rest)) as typeof subtle.importKey)
    database = await openDatabase('node-postgres', { serverpod: true })
  })
  afterAll(async () => {
    vi.restoreAllMocks()
    await database?.close()
  })

  it('is measured as lacking ES512 only; the whole suite passes, its ES512 cases through the unsupported outcome', async () => {
    const features = await measureFeatures()
    expect(features).toEqual({ HS512: true, ES512: false, 'PBKDF2-SHA512': true, randomUUID: true })
    const report = await runConformance({ runtime: 'node-without-p521', driver: 'node-postgres', db: database.db, features })
    expect(report.cases.filter((c) => c.status === 'failed')).toEqual([])
    expect(report.passed).toBe(conformanceCasesFor('postgres').length)
  })

  it('would fail an ES512 case that ran its normal path (the stub really hides P-521)', async () => {
    const ctx: ConformanceContext = { runtime: 'node-without-p521', features: { HS512: true, ES512: true, 'PBKDF2-SHA512': true, randomUUID: true }, db: database.db }
    const result = await runCase(es512Tests[0]!, ctx)
    expect(result.status).toBe('failed')
  })
})
