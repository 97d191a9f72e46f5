import { defineConfig } from 'vitest/config';

export default defineConfig({
  define: {
    // Same constant the infra's esbuild options inject; tests see a fixed version.
    __SLUICE_CODE_VERSION__: JSON.stringify('test'),
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Killing and freezing services: run alone, after the rest (vitest.chaos.config.ts);
    // LocalStack's tests have a phase of their own (vitest.localstack.config.ts).
    exclude: ['test/chaos/**', 'test/localstack/**', '**/node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    // The global teardown waits for a service check under way and removes every test stage.
    teardownTimeout: 180_000,
    pool: 'forks',
  },
});
