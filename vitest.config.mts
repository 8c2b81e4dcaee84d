import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    // Two cores on CI: keep the pool small so suites do not thrash.
    pool: 'threads',
    maxWorkers: 2,
    testTimeout: 60_000,
  },
});
