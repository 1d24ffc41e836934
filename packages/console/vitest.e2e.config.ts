import { defineConfig } from 'vitest/config';

/**
 * End-to-end tests: a real center in-process with the demo seed, the built console (run
 * `npm run build -w @sde/console` first) and Debian's Chromium driven by playwright-core.
 */
export default defineConfig({
  test: {
    root: new URL('.', import.meta.url).pathname,
    include: ['e2e/**/*.e2e.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
  },
});
