import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{apps,packages,bench,test}/**/*.test.ts'],
    // apps/web keeps only DOM-free unit tests here; its screens are tested in Chromium (test/browser).
    exclude: ['**/node_modules/**', 'apps/web/dist/**'],
    globalSetup: ['./test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // A page under a loaded two-core machine can take seconds to show what a click did; polls wait
    // for it rather than failing at Vitest's default 1 s. A poll that never passes still fails.
    expect: { poll: { timeout: 10_000, interval: 100 } },
    // Two cores: keep file-level parallelism modest so concurrency tests measure the code, not the machine.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
