/**
 * Creates a stage's queues and claim-check bucket on the local services (or LocalStack)
 * from the topology module — never from a second hand-written list. Idempotent.
 */
import { CreateBucketCommand, type S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { resourceName } from '../../functions/topology/naming';
import { REPLAY_SETTINGS, visibilityTimeoutSeconds } from '../../functions/topology/queue-settings';
import { queueTopology } from '../../functions/topology/queue-topology';
import { BUCKETS, jobQueues, ROUTER_QUEUES } from '../../functions/topology/topology';
import { JOB_NAMES, JOBS } from '../../functions/workers/jobs';

/** 14 days, SQS's longest retention: dead letters must outlive their sources. */
const DLQ_RETENTION_SECONDS = 1_209_600;

export interface ProvisionedQueues {
  /** Queue URL per logical name. */
  urls: Map<string, string>;
  /** The queue URL prefix to give the router as SLUICE_QUEUE_URL_BASE. */
  queueUrlBase: string;
}

/** The function timeout and batching window of the consumer of each source queue. */
const CONSUMERS = new Map<string, { timeoutSeconds: number; maxBatchingWindowSeconds: number }>([
  [ROUTER_QUEUES.replay, { ...REPLAY_SETTINGS, maxBatchingWindowSeconds: 0 }],
  ...JOB_NAMES.map((job) => [jobQueues(job).queue, JOBS[job].settings] as const),
]);

/**
 * The visibility timeout the CDK stacks give queue `name` (ElasticMQ's default of 30 s would
 * let a slow invocation's messages come back while it still runs), or none for a DLQ.
 */
export function visibilityTimeoutOf(name: string): number | undefined {
  const consumer = CONSUMERS.get(name);
  return (
    consumer && visibilityTimeoutSeconds(consumer.timeoutSeconds, consumer.maxBatchingWindowSeconds)
  );
}

/**
 * Creates every queue of the topology for `stage`, wiring each RedrivePolicy and giving each
 * source queue the deployed visibility timeout.
 *
 * @example
 * ```ts
 * const { queueUrlBase } = await provisionQueues(new SQSClient({}), 'dev');
 * ```
 */
export async function provisionQueues(sqs: SQSClient, stage: string): Promise<ProvisionedQueues> {
  const urls = new Map<string, string>();
  const arns = new Map<string, string>();
  for (const spec of queueTopology()) {
    const attributes: Record<string, string> = {};
    if (spec.deadLetterQueue) {
      attributes.RedrivePolicy = JSON.stringify({
        deadLetterTargetArn: arns.get(spec.deadLetterQueue),
        maxReceiveCount: spec.maxReceiveCount ?? 10,
      });
      const visibility = visibilityTimeoutOf(spec.name);
      if (visibility !== undefined) attributes.VisibilityTimeout = String(visibility);
    } else {
      attributes.MessageRetentionPeriod = String(DLQ_RETENTION_SECONDS);
    }
    const name = resourceName(stage, spec.name);
    const url = await createOrUpdateQueue(sqs, name, attributes);
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
    );
    urls.set(spec.name, url);
    arns.set(spec.name, Attributes?.QueueArn as string);
  }
  const first = urls.values().next().value as string;
  const queueUrlBase = first.slice(0, first.lastIndexOf('/') + 1);
  return { urls, queueUrlBase };
}

/**
 * Creates the queue, or — when it exists with other attributes (a stage provisioned by an
 * older version) — brings its attributes up to date; returns its URL.
 */
async function createOrUpdateQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<string> {
  try {
    const created = await sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
    );
    return created.QueueUrl as string;
  } catch (error) {
    const code = (error as Error).name;
    if (code !== 'QueueNameExists' && code !== 'QueueAlreadyExists') throw error;
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: attributes }));
    return QueueUrl as string;
  }
}

/** Creates the stage's claim-check bucket; returns its name. */
export async function provisionBucket(s3: S3Client, stage: string): Promise<string> {
  const bucket = resourceName(stage, BUCKETS.claimCheck);
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    const name = (error as Error).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
  }
  return bucket;
}

/** S3 client options for local servers, which serve buckets by path, not by host name. */
export const localS3Options: S3ClientConfig = { forcePathStyle: true };
