/**
 * Provisions everything a stage needs on the local services: queues with their redrive
 * policies, the claim-check bucket and the tables — all from the topology module.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { localS3Options, provisionBucket, provisionQueues } from './queues';
import { provisionTables } from './tables';

export interface ProvisionedStage {
  stage: string;
  queueUrls: Map<string, string>;
  queueUrlBase: string;
  claimCheckBucket: string;
  tables: Map<string, string>;
}

/**
 * Uses the standard AWS environment variables for endpoints and credentials.
 *
 * @example
 * ```ts
 * applyLocalServiceEnv();
 * const stage = await provisionStage('dev');
 * ```
 */
export async function provisionStage(stage: string): Promise<ProvisionedStage> {
  const [queues, claimCheckBucket, tables] = await Promise.all([
    provisionQueues(new SQSClient({}), stage),
    provisionBucket(new S3Client(localS3Options), stage),
    provisionTables(new DynamoDBClient({}), stage),
  ]);
  return {
    stage,
    queueUrls: queues.urls,
    queueUrlBase: queues.queueUrlBase,
    claimCheckBucket,
    tables,
  };
}
