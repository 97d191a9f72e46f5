/**
 * Provisions everything a stage needs on the local services: queues with their redrive
 * policies, the claim-check bucket, the tables and the OpenSearch indexes — all from the
 * topology module.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { openSearchClientFromEnv } from '../../functions/targets/opensearch/client';
import type { IndexKey } from '../../functions/topology/topology';
import { type ProvisionedIndex, provisionIndexes } from './indexes';
import { localS3Options, provisionBucket, provisionQueues } from './queues';
import { provisionTables } from './tables';

export interface ProvisionedStage {
  stage: string;
  queueUrls: Map<string, string>;
  queueUrlBase: string;
  claimCheckBucket: string;
  tables: Map<string, string>;
  /** Alias and versioned index per index key; empty when `indexes: false`. */
  indexes: Map<IndexKey, ProvisionedIndex>;
}

export interface ProvisionOptions {
  /**
   * Set up the OpenSearch indexes (default true). Tests that never touch OpenSearch pass
   * false: every stage's indexes are shards on the one local node. Tests that do set them up
   * remove them afterwards with `removeStageIndexes` (./indexes).
   */
  readonly indexes?: boolean;
}

/**
 * Uses the standard AWS environment variables for endpoints and credentials, and
 * SLUICE_OPENSEARCH_URL (SLUICE_OPENSEARCH_MODE) for OpenSearch.
 *
 * @example
 * ```ts
 * applyLocalServiceEnv();
 * const stage = await provisionStage('dev');
 * ```
 */
export async function provisionStage(
  stage: string,
  options: ProvisionOptions = {},
): Promise<ProvisionedStage> {
  const [queues, claimCheckBucket, tables, indexes] = await Promise.all([
    provisionQueues(new SQSClient({}), stage),
    provisionBucket(new S3Client(localS3Options), stage),
    provisionTables(new DynamoDBClient({}), stage),
    options.indexes === false ? new Map<IndexKey, ProvisionedIndex>() : indexesOf(stage),
  ]);
  return {
    stage,
    queueUrls: queues.urls,
    queueUrlBase: queues.queueUrlBase,
    claimCheckBucket,
    tables,
    indexes,
  };
}

async function indexesOf(stage: string): Promise<Map<IndexKey, ProvisionedIndex>> {
  const search = openSearchClientFromEnv(process.env);
  try {
    return await provisionIndexes(search, stage);
  } finally {
    await search.close();
  }
}
