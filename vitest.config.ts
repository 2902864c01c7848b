import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Two cores: keep the DuckDB- and browser-heavy files from fighting for them.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
