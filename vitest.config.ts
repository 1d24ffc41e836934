import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'bench/lib/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'packages/console/e2e/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Server suites create their own databases and ports; two workers suit the 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
  },
});
