/**
 * Provisions everything a stage needs on the local services: queues with their redrive
 * policies, the claim-check bucket, the tables and the OpenSearch indexes — all from the
 * topology module — and removes it all again.
 */
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { DeleteQueueCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { openSearchClientFromEnv } from '../../functions/targets/opensearch/client';
import { resourceName } from '../../functions/topology/naming';
import { BUCKETS, type IndexKey, TABLES } from '../../functions/topology/topology';
import { type ProvisionedIndex, provisionIndexes, removeStageIndexes } from './indexes';
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

/**
 * Deletes everything {@link provisionStage} made for `stage` — queues, tables, the bucket and
 * its objects, the OpenSearch indexes — where it exists; the local servers keep state (and
 * memory) until then. Used after tests; never point it at a stage you want to keep.
 *
 * @example
 * ```ts
 * afterAll(() => removeStage(stage));
 * ```
 */
export async function removeStage(stage: string): Promise<void> {
  const sqs = new SQSClient({});
  const dynamodb = new DynamoDBClient({});
  const s3 = new S3Client(localS3Options);
  const search = openSearchClientFromEnv(process.env);
  const missing = (error: unknown) => {
    const name = (error as { name?: string }).name ?? '';
    if (!/NotFound|NonExistent|DoesNotExist|NoSuchBucket/.test(name)) throw error;
  };
  try {
    const prefix = resourceName(stage, '');
    const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }));
    await Promise.all([
      ...QueueUrls.map((QueueUrl) => sqs.send(new DeleteQueueCommand({ QueueUrl })).catch(missing)),
      ...Object.values(TABLES).map((table) =>
        dynamodb
          .send(new DeleteTableCommand({ TableName: resourceName(stage, table.name) }))
          .catch(missing),
      ),
      emptyAndDeleteBucket(s3, resourceName(stage, BUCKETS.claimCheck)).catch(missing),
      removeStageIndexes(search, stage),
    ]);
  } finally {
    sqs.destroy();
    dynamodb.destroy();
    s3.destroy();
    await search.close();
  }
}

async function emptyAndDeleteBucket(s3: S3Client, bucket: string): Promise<void> {
  for (;;) {
    const { Contents = [] } = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    if (Contents.length === 0) break;
    await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: Contents.map(({ Key }) => ({ Key: Key as string })) },
      }),
    );
  }
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
}
