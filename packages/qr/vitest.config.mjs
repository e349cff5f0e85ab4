// @ts-check
import { defineConfig } from 'vitest/config';

// This package needs no database, so it skips the root config's PostgreSQL global setup.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
  },
});
