/**
 * A minimal stand-in for Lambda's SQS event source mapping, for integration tests: receive a
 * batch, hand it to the handler as an SQSEvent, delete what the handler did not report as
 * failed. Failed messages stay with whatever visibility the job runtime gave them.
 */
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { DeadLetter } from '../../functions/queues/dead-letter';
import { sqsRecordFrom } from '../../local/event-sources/sqs-event';

export type Handler = (event: SQSEvent) => Promise<SQSBatchResponse>;

export async function queueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  return Attributes?.QueueArn as string;
}

/** Messages in a queue, visible or in flight (ElasticMQ counts exactly, without a receive). */
export async function messagesIn(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible)
  );
}

/** Receives up to `max` messages (waiting up to 1 s) without invoking anything. */
export async function receive(
  sqs: SQSClient,
  queueUrl: string,
  max = 10,
  visibilityTimeout = 30,
): Promise<Message[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: max,
      WaitTimeSeconds: 1,
      VisibilityTimeout: visibilityTimeout,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }),
  );
  return Messages;
}

/** Invokes `handler` with `messages` as the mapping would, then deletes the successes. */
export async function deliver(
  sqs: SQSClient,
  queueUrl: string,
  arn: string,
  handler: Handler,
  messages: Message[],
): Promise<SQSBatchResponse> {
  const response = await handler({
    Records: messages.map((m) => sqsRecordFrom(m, { eventSourceARN: arn })),
  });
  const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  const done = messages.filter((m) => !failed.has(m.MessageId as string));
  if (done.length > 0) {
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string })),
      }),
    );
  }
  return response;
}

/** Polls and delivers until `until()` holds or `timeoutMs` passes; returns whether it held. */
export async function pollUntil(
  sqs: SQSClient,
  queueUrl: string,
  handler: Handler,
  until: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<boolean> {
  const arn = await queueArn(sqs, queueUrl);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await until()) return true;
    const messages = await receive(sqs, queueUrl);
    if (messages.length > 0) await deliver(sqs, queueUrl, arn, handler, messages);
  }
  return until();
}

/**
 * The dead letters in a DLQ, received (not deleted) until a receive has come back empty twice.
 *
 * @example
 * ```ts
 * const letters = await deadLettersIn(sqs, dlqUrl);
 * ```
 */
export async function deadLettersIn(sqs: SQSClient, queueUrl: string): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  for (let empty = 0; empty < 2; ) {
    const messages = await receive(sqs, queueUrl);
    if (messages.length === 0) empty++;
    for (const m of messages) letters.push(JSON.parse(m.Body ?? '') as DeadLetter);
  }
  return letters;
}
