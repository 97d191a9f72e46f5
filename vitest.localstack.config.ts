import { defineConfig } from 'vitest/config';
import base from './vitest.config';

/**
 * The tests that need LocalStack (`test/localstack/`): their own phase of `npm test`, after
 * the main suite and before the chaos tests, one file at a time. Their global setup starts
 * LocalStack (opt-in everywhere else) and the native services it leans on, and stops
 * LocalStack again if it started it.
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/localstack/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    globalSetup: ['test/localstack/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 15 * 60_000,
    fileParallelism: false,
  },
});
