import { sqs } from './elasticmq';
import { kafka } from './kafka';
import { moto } from './moto';
import { opensearch } from './opensearch';
import type { ServiceDefinition } from './service';

/**
 * Every local service, in display order. OpenSearch joins by itself once './opensearch'
 * exports a definition instead of undefined.
 */
export const services: readonly ServiceDefinition[] = [kafka, sqs, moto, opensearch].filter(
  (service): service is ServiceDefinition => service !== undefined,
);

/**
 * The definitions for `names`, in registry order; all services when `names` is empty.
 * Throws on an unknown name, listing the known ones.
 */
export function selectServices(names: readonly string[] = []): ServiceDefinition[] {
  const known = new Set(services.map((service) => service.name));
  const unknown = names.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new Error(`unknown service ${unknown.join(', ')}; known: ${[...known].join(', ')}`);
  }
  return services.filter((service) => names.length === 0 || names.includes(service.name));
}
