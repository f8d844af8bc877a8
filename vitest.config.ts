import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // build-dist: conformance and packaging tests import the package by name, i.e. dist/ (rebuilt when stale).
    globalSetup: ['test/support/global-setup.ts', 'test/packaging/build-dist.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Files share one Postgres server; each creates its own database, so they can run in parallel.
    fileParallelism: true,
    // Most files wait on the database, child processes or real clocks rather than the CPU: three at a
    // time keep a 2-core machine busy without starving the timing-bound ones.
    maxWorkers: 3,
  },
})
