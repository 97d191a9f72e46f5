/**
 * Index setup as a CloudFormation custom resource (the CDK Provider framework's `onEvent`):
 * Create and Update run {@link ensureIndexes} — idempotent, so a retried or repeated event
 * does no harm — and Delete does nothing: the data outlives the stack.
 *
 * Resource properties (all strings, as CloudFormation passes them): `Stage` (else the
 * function's SLUICE_STAGE), `Shards`, `Replicas`, `Reindex` (`false` to leave an alias on an
 * older version for a reindex run by hand, when an index is too large to copy inside the
 * function's 15 minutes). The response's Data names each alias and its index
 * (`ProductsAlias`, `ProductsIndex`, …) for other resources to reference.
 */

import type { Client } from '@opensearch-project/opensearch';
import type {
  CloudFormationCustomResourceEvent,
  CloudFormationCustomResourceResourcePropertiesCommon,
} from 'aws-lambda';
import type { Env } from '../../shared/env';
import { resourceName } from '../../topology/naming';
import { ensureIndexes, type IndexSetupResult } from './index-setup';

export interface IndexSetupResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
}

type Properties = CloudFormationCustomResourceResourcePropertiesCommon & {
  Stage?: string;
  Shards?: string;
  Replicas?: string;
  Reindex?: string;
};

function optionalCount(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 100) {
    throw new Error(`Property ${name}="${value}" must be an integer in [0, 100]`);
  }
  return n;
}

/** `products` → `Products`, for Data keys. */
const capitalised = (key: string) => key.charAt(0).toUpperCase() + key.slice(1);

/** Data for the response: `<Key>Alias` and `<Key>Index` per index. */
export function responseData(results: readonly IndexSetupResult[]): Record<string, string> {
  const data: Record<string, string> = {};
  for (const r of results) {
    data[`${capitalised(r.key)}Alias`] = r.alias;
    data[`${capitalised(r.key)}Index`] = r.index;
  }
  return data;
}

/**
 * @example
 * ```ts
 * export const handler = indexSetupResource(openSearchClientFromEnv(process.env), process.env);
 * ```
 */
export function indexSetupResource(client: Client, env: Env) {
  return async (event: CloudFormationCustomResourceEvent): Promise<IndexSetupResponse> => {
    const properties = event.ResourceProperties as Properties;
    const stage = properties.Stage || env.SLUICE_STAGE;
    if (!stage) throw new Error('Index setup needs a Stage property or SLUICE_STAGE');
    const physicalId = resourceName(stage, 'opensearch-indexes');
    if (event.RequestType === 'Delete') {
      // The indexes hold data that outlives the stack; remove them by hand if meant.
      return { PhysicalResourceId: event.PhysicalResourceId };
    }
    const results = await ensureIndexes(client, stage, {
      shards: optionalCount(properties.Shards, 'Shards'),
      replicas: optionalCount(properties.Replicas, 'Replicas'),
      reindex: properties.Reindex !== 'false',
    });
    return { PhysicalResourceId: physicalId, Data: responseData(results) };
  };
}
