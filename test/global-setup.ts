/**
 * Vitest global setup: brings up the local services the tests need, idempotently (services
 * already healthy, ours or a user's, are left alone), and points the AWS SDK at them. It
 * never stops services: `.ci/run` does that, and a developer keeps them running between runs.
 * Set SLUICE_SERVICES=external to use your own endpoints (LocalStack, AWS) instead.
 */
import { applyLocalServiceEnv } from '../local/services/endpoints';
import { servicesUp } from '../local/services/stack';

export default async function setup(): Promise<void> {
  if (process.env.SLUICE_SERVICES === 'external') return;
  applyLocalServiceEnv();
  await servicesUp([], {
    progress: (name, message) => process.stderr.write(`[services] ${name}: ${message}\n`),
  });
}
