/**
 * Per-run ElasticMQ queues for the event-source tests, and the queue's own view of what is left:
 * counts from GetQueueAttributes and real receives — never the emulation's counters.
 */
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { applyLocalServiceEnv } from '../../../../local/services/endpoints';
import { runName } from '../../../support/unique-name';

applyLocalServiceEnv();

export interface SqsFixture {
  sqs: SQSClient;
  /** A fresh queue; deleted in `close()`. */
  queue(suffix: string, visibilityTimeoutSeconds?: number): Promise<string>;
  /** Sends entries in batches of 10; returns the message ids in order. */
  send(
    queueUrl: string,
    entries: readonly Omit<SendMessageBatchRequestEntry, 'Id'>[],
  ): Promise<string[]>;
  /** Visible plus in-flight (not visible) messages. */
  counts(queueUrl: string): Promise<{ visible: number; inFlight: number }>;
  /** A real receive of up to 10 messages, waiting up to `waitSeconds`. */
  receive(queueUrl: string, waitSeconds?: number): Promise<Message[]>;
  close(): Promise<void>;
}

export function sqsFixture(): SqsFixture {
  const sqs = new SQSClient({});
  const queues: string[] = [];
  return {
    sqs,
    async queue(suffix, visibilityTimeoutSeconds = 30) {
      const { QueueUrl } = await sqs.send(
        new CreateQueueCommand({
          QueueName: runName(suffix),
          Attributes: { VisibilityTimeout: String(visibilityTimeoutSeconds) },
        }),
      );
      if (!QueueUrl) throw new Error('CreateQueue returned no URL');
      queues.push(QueueUrl);
      return QueueUrl;
    },
    async send(queueUrl, entries) {
      const ids: string[] = [];
      for (let start = 0; start < entries.length; start += 10) {
        const chunk = entries.slice(start, start + 10).map((e, i) => ({ ...e, Id: String(i) }));
        const { Successful = [], Failed = [] } = await sqs.send(
          new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: chunk }),
        );
        if (Failed.length > 0)
          throw new Error(`SendMessageBatch failed: ${JSON.stringify(Failed)}`);
        const byId = new Map(Successful.map((s) => [s.Id, s.MessageId as string]));
        for (const entry of chunk) ids.push(byId.get(entry.Id) as string);
      }
      return ids;
    },
    async counts(queueUrl) {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return {
        visible: Number(Attributes.ApproximateNumberOfMessages),
        inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
      };
    },
    async receive(queueUrl, waitSeconds = 1) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: waitSeconds,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      return Messages;
    },
    async close() {
      await Promise.all(
        queues.map((url) =>
          sqs.send(new DeleteQueueCommand({ QueueUrl: url })).catch(() => undefined),
        ),
      );
      sqs.destroy();
    },
  };
}
