import type { ServiceDefinition } from './service';

// Placeholder while the OpenSearch launcher is being built (issue 3): not registered yet.
export const opensearch: ServiceDefinition | undefined = undefined;
