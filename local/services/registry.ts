/**
 * Every local service, in the order they are installed (one Maven at a time).
 */
import { sqs } from './elasticmq';
import { kafka } from './kafka';
import { moto } from './moto';
import { opensearch } from './opensearch';
import type { ServiceDefinition } from './service';

export const SERVICES: readonly ServiceDefinition[] = [sqs, moto, kafka, opensearch];

/** The definitions named, or all of them; throws for an unknown name. */
export function selectServices(names: readonly string[] = []): ServiceDefinition[] {
  if (names.length === 0) return [...SERVICES];
  return names.map((name) => {
    const found = SERVICES.find((service) => service.name === name);
    if (!found) {
      throw new Error(
        `Unknown service "${name}"; known: ${SERVICES.map((s) => s.name).join(', ')}`,
      );
    }
    return found;
  });
}
