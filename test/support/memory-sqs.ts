/**
 * The one in-memory SQS of the unit tests: aws-sdk-client-mock on the given client, recording
 * every message sent (one at a time or in batches) and every visibility change, and answering
 * each call as a healthy queue does.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  type MessageAttributeValue,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';

export interface SentMessage {
  queueUrl: string;
  body: string;
  delaySeconds?: number;
  /** String message attributes, by name. */
  attributes: Record<string, string>;
}

const stringAttributes = (attributes: Record<string, MessageAttributeValue> = {}) =>
  Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [name, value.StringValue as string]),
  );

/**
 * Mocks `client`; `sent` and `visibility` fill as the code under test calls it, and `mock`
 * is there for a test to answer a call otherwise.
 *
 * @example
 * ```ts
 * const sqs = memorySqs(deps.sqs);
 * await handler(event);
 * expect(sqs.sent.map((m) => m.queueUrl)).toEqual([dlqUrl]);
 * ```
 */
export function memorySqs(client: SQSClient) {
  const sent: SentMessage[] = [];
  const visibility: Array<{ receiptHandle: string; seconds: number }> = [];
  const mock = mockClient(client);
  mock.on(SendMessageCommand).callsFake((input) => {
    sent.push({
      queueUrl: input.QueueUrl,
      body: input.MessageBody,
      delaySeconds: input.DelaySeconds,
      attributes: stringAttributes(input.MessageAttributes),
    });
    return { MessageId: `sent-${sent.length}` };
  });
  mock.on(SendMessageBatchCommand).callsFake((input) => {
    for (const entry of input.Entries ?? []) {
      sent.push({
        queueUrl: input.QueueUrl,
        body: entry.MessageBody,
        delaySeconds: entry.DelaySeconds,
        attributes: stringAttributes(entry.MessageAttributes),
      });
    }
    return {
      Successful: (input.Entries ?? []).map((e: { Id: string }) => ({ Id: e.Id })),
      Failed: [],
    };
  });
  mock.on(ChangeMessageVisibilityBatchCommand).callsFake((input) => {
    for (const e of input.Entries) {
      visibility.push({ receiptHandle: e.ReceiptHandle, seconds: e.VisibilityTimeout });
    }
    return { Successful: input.Entries.map((e: { Id: string }) => ({ Id: e.Id })), Failed: [] };
  });
  return { mock, sent, visibility };
}
