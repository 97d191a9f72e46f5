/**
 * Sets up a stage's OpenSearch indexes on the local node (or any endpoint the environment
 * names) with the same function the CloudFormation custom resource runs: index templates,
 * versioned indexes, aliases. No replicas: the local node is alone. Idempotent.
 */
import type { Client } from '@opensearch-project/opensearch';
import { ensureIndexes } from '../../functions/targets/opensearch/index-setup';
import { resourceName } from '../../functions/topology/naming';
import type { IndexKey } from '../../functions/topology/topology';

export interface ProvisionedIndex {
  /** The name clients use. */
  readonly alias: string;
  /** The versioned index behind it. */
  readonly index: string;
}

/**
 * @returns alias and concrete index per index key.
 * @example
 * ```ts
 * const indexes = await provisionIndexes(openSearchClientFromEnv(process.env), 'dev');
 * indexes.get('products'); // { alias: 'sluice-dev-products', index: 'sluice-dev-products-v1' }
 * ```
 */
export async function provisionIndexes(
  client: Client,
  stage: string,
): Promise<Map<IndexKey, ProvisionedIndex>> {
  const results = await ensureIndexes(client, stage, { replicas: 0 });
  return new Map(
    results.map((r) => [r.key as IndexKey, { alias: r.alias, index: r.index }] as const),
  );
}

/**
 * Deletes a stage's indexes and index templates: for tests, whose stages are unique per run
 * and would otherwise pile up on the local node (1,000 shards at most, 512 MiB of heap).
 *
 * @example
 * ```ts
 * afterAll(() => removeStageIndexes(client, stage));
 * ```
 */
export async function removeStageIndexes(client: Client, stage: string): Promise<void> {
  const pattern = `${resourceName(stage, '')}*`;
  await client.indices.delete({ index: pattern, ignore_unavailable: true, allow_no_indices: true });
  await client.indices.deleteIndexTemplate({ name: pattern }, { ignore: [404] });
}
