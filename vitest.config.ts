import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{apps,packages,bench,test}/**/*.test.ts'],
    // apps/web keeps only DOM-free unit tests here; its screens are tested in Chromium (test/browser).
    exclude: ['**/node_modules/**', 'apps/web/dist/**'],
    globalSetup: ['./test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: keep file-level parallelism modest so concurrency tests measure the code, not the machine.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
