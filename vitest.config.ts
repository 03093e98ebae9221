import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts', 'sim/**/*.test.ts'],
    // 2-core machines: one worker per core keeps CPU-heavy suites from starving each other.
    maxWorkers: 2,
    testTimeout: 120_000,
    // The JSON report feeds the one-line summary .ci/run prints last (tools/ci-summary.mjs).
    reporters: ['default', ['json', { outputFile: '.cache/vitest-results.json' }]],
    hookTimeout: 60_000,
  },
});
