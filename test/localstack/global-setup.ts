/**
 * Global setup of the LocalStack phase (vitest.localstack.config.ts): brings up LocalStack
 * (opt-in, so nothing else starts it) with the native services it leans on — Kafka for the
 * bridge to the deployed router, OpenSearch as the backend of its domains — and stops
 * LocalStack afterwards if this run started it. A LocalStack already running from this
 * checkout (`npm run services -- up localstack`) is used and left running.
 */
import { servicesDown, servicesUp } from '../../local/services/stack';

export default async function setup(): Promise<() => Promise<void>> {
  const progress = (name: string, message: string) =>
    process.stderr.write(`[services] ${name}: ${message}\n`);
  const results = await servicesUp(['kafka', 'opensearch', 'localstack'], { progress });
  const started = results.some((r) => r.name === 'localstack' && r.outcome === 'started');
  return async () => {
    if (started) await servicesDown(['localstack'], { progress });
  };
}
