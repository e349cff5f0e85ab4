import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{apps,packages,bench,test}/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'apps/web/**'],
    globalSetup: ['./test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: keep file-level parallelism modest so concurrency tests measure the code, not the machine.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
