/**
 * Bench-only entry: the smallest Lambda handler that does the router's essential job, one
 * SendMessageBatch with an SQSClient. `bench:router` bundles it with the router's esbuild
 * options and compares the two bundles' sizes and cold import times.
 */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';

const sqs = new SQSClient({});

export const handler = async (event: { queueUrl: string; body: string }): Promise<void> => {
  await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: event.queueUrl,
      Entries: [{ Id: '0', MessageBody: event.body }],
    }),
  );
};
