import { sqs } from './elasticmq';
import { kafka } from './kafka';
import { localstack } from './localstack';
import { moto } from './moto';
import { opensearch } from './opensearch';
import type { ServiceDefinition } from './service';

/**
 * Every local service, in display order. OpenSearch joins by itself once './opensearch'
 * exports a definition instead of undefined. LocalStack is opt-in.
 */
export const services: readonly ServiceDefinition[] = [
  kafka,
  sqs,
  moto,
  opensearch,
  localstack,
].filter((service): service is ServiceDefinition => service !== undefined);

/**
 * The definitions for `names`, in registry order. When `names` is empty: every service, or
 * without the opt-in ones (LocalStack) when `withOptIn` is false — what a bare `up` starts.
 * Throws on an unknown name, listing the known ones.
 */
export function selectServices(
  names: readonly string[] = [],
  withOptIn = true,
): ServiceDefinition[] {
  const known = new Set(services.map((service) => service.name));
  const unknown = names.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new Error(`unknown service ${unknown.join(', ')}; known: ${[...known].join(', ')}`);
  }
  if (names.length > 0) return services.filter((service) => names.includes(service.name));
  return services.filter((service) => withOptIn || !service.optIn);
}
