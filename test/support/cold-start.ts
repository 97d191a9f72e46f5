/**
 * Loading a Lambda handler module as a cold start would: a fresh module registry and the
 * given environment, so configuration read at load time is read again. Each file's
 * environment stubs are undone after each test.
 */
import { afterEach, vi } from 'vitest';

/** What every worker function's environment holds (stage, queue base, region). */
export const WORKER_RUNTIME_ENV = {
  SLUICE_STAGE: 'unit',
  SLUICE_QUEUE_URL_BASE: 'https://sqs.eu-west-1.amazonaws.com/123456789012/',
  AWS_REGION: 'eu-west-1',
} as const;

/**
 * A loader for one handler module: `load` imports it (written in the test file, so its path
 * resolves there); each call resets the modules, stubs `base` and then the call's `env` over
 * the environment and loads. Registers an `afterEach` that undoes the stubs.
 *
 * @example
 * ```ts
 * const loadWith = coldStartLoader(() => import('../../../../functions/workers/audit/handler'));
 * const module = await loadWith({ ...WORKER_RUNTIME_ENV, SLUICE_OPENSEARCH_URL: 'http://x' });
 * ```
 */
export function coldStartLoader<T>(
  load: () => Promise<T>,
  base: Readonly<Record<string, string>> = {},
): (env: Record<string, string>) => Promise<T> {
  afterEach(() => {
    vi.unstubAllEnvs();
  });
  return async (env) => {
    vi.resetModules();
    for (const [name, value] of Object.entries({ ...base, ...env })) vi.stubEnv(name, value);
    return load();
  };
}
