import { defineConfig } from 'vitest/config';
import base from './vitest.config';

/**
 * The chaos tests kill and freeze the local services: they run on their own, one file at a
 * time, after the rest of `npm test` — same setup as vitest.config.ts otherwise.
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/chaos/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    globalSetup: ['test/chaos/global-setup.ts'],
    testTimeout: 15 * 60_000,
    fileParallelism: false,
  },
});
