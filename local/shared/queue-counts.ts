/**
 * A queue's messages by state, from GetQueueAttributes: what `npm run dev`, the ops CLI and
 * the end-to-end tests read to see where messages are.
 */
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface QueueCounts {
  /** Waiting to be received. */
  readonly visible: number;
  /** Received and not yet deleted, or delayed (backoff, snooze). */
  readonly inFlight: number;
}

/**
 * @example
 * ```ts
 * const { visible, inFlight } = await queueCounts(new SQSClient({}), queueUrl);
 * ```
 */
export async function queueCounts(sqs: SQSClient, queueUrl: string): Promise<QueueCounts> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight:
      Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) +
      Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

/** All messages of a queue, whatever their state. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { visible, inFlight } = await queueCounts(sqs, queueUrl);
  return visible + inFlight;
}
