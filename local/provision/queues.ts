/**
 * Creates a stage's queues and claim-check bucket on the local services (or LocalStack)
 * from the topology module — never from a second hand-written list. Idempotent.
 */
import { CreateBucketCommand, type S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { resourceName } from '../../functions/topology/naming';
import { BUCKETS, queueTopology } from '../../functions/topology/topology';

/** 14 days, SQS's longest retention: dead letters must outlive their sources. */
const DLQ_RETENTION_SECONDS = 1_209_600;

export interface ProvisionedQueues {
  /** Queue URL per logical name. */
  urls: Map<string, string>;
  /** The queue URL prefix to give the router as SLUICE_QUEUE_URL_BASE. */
  queueUrlBase: string;
}

/**
 * Creates every queue of the topology for `stage`, wiring each RedrivePolicy.
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
    } else {
      attributes.MessageRetentionPeriod = String(DLQ_RETENTION_SECONDS);
    }
    const name = resourceName(stage, spec.name);
    const created = await sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
    );
    const url = created.QueueUrl as string;
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
