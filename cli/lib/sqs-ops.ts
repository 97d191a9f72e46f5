/**
 * The SQS calls the DLQ commands make, batched by ten, each reporting per message whether it
 * worked — so a caller never deletes a message whose copy was not accepted.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { classifyAwsError } from '../../functions/shared/aws-errors';

const BATCH = 10;

function chunks<T>(items: readonly T[]): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += BATCH) result.push(items.slice(i, i + BATCH));
  return result;
}

/**
 * Receives up to `max` (≤ 10) messages with every attribute, holding them invisible for
 * `visibilityTimeoutSeconds`. Long-polls `waitSeconds` so an empty answer means empty.
 */
export async function receiveMessages(
  sqs: SQSClient,
  queueUrl: string,
  max: number,
  visibilityTimeoutSeconds: number,
  waitSeconds = 1,
): Promise<Message[]> {
  try {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.max(1, Math.min(BATCH, max)),
        VisibilityTimeout: visibilityTimeoutSeconds,
        WaitTimeSeconds: waitSeconds,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    return Messages;
  } catch (error) {
    throw classifyAwsError(error, `Receiving from ${queueUrl} failed`);
  }
}

/** Makes received messages visible again at once; returns how many SQS accepted. */
export async function releaseMessages(
  sqs: SQSClient,
  queueUrl: string,
  messages: readonly Message[],
): Promise<number> {
  let released = 0;
  for (const batch of chunks(messages)) {
    const { Successful = [] } = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((m, i) => ({
          Id: String(i),
          ReceiptHandle: m.ReceiptHandle ?? '',
          VisibilityTimeout: 0,
        })),
      }),
    );
    released += Successful.length;
  }
  return released;
}

/** Deletes received messages; returns the ids of those SQS deleted. */
export async function deleteMessages(
  sqs: SQSClient,
  queueUrl: string,
  messages: readonly Message[],
): Promise<Set<string>> {
  const deleted = new Set<string>();
  for (const batch of chunks(messages)) {
    const { Successful = [] } = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
      }),
    );
    for (const s of Successful) {
      const id = batch[Number(s.Id)]?.MessageId;
      if (id) deleted.add(id);
    }
  }
  return deleted;
}

/** A message re-sent to another queue: the original, and the id its copy got. */
export interface Resent {
  readonly original: Message;
  readonly newMessageId: string;
}

/**
 * Sends copies of `messages` (same body, same message attributes) to `queueUrl`.
 *
 * @returns the copies SQS accepted and the originals it did not, with the reason
 */
export async function resendMessages(
  sqs: SQSClient,
  queueUrl: string,
  messages: readonly Message[],
): Promise<{ sent: Resent[]; failed: Array<{ original: Message; reason: string }> }> {
  const sent: Resent[] = [];
  const failed: Array<{ original: Message; reason: string }> = [];
  for (const batch of chunks(messages)) {
    try {
      const { Successful = [], Failed = [] } = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((m, i) => ({
            Id: String(i),
            MessageBody: m.Body ?? '',
            MessageAttributes: copyAttributes(m.MessageAttributes),
          })),
        }),
      );
      for (const s of Successful) {
        const original = batch[Number(s.Id)];
        if (original) sent.push({ original, newMessageId: s.MessageId ?? '' });
      }
      for (const f of Failed) {
        const original = batch[Number(f.Id)];
        if (original) failed.push({ original, reason: `${f.Code}: ${f.Message ?? ''}` });
      }
    } catch (error) {
      const reason = classifyAwsError(error, 'SendMessageBatch failed').message;
      for (const original of batch) failed.push({ original, reason });
    }
  }
  return { sent, failed };
}

/** Message attributes as SendMessage takes them (the receive shape has extra empty lists). */
function copyAttributes(
  attributes: Message['MessageAttributes'],
): Record<string, MessageAttributeValue> | undefined {
  if (!attributes || Object.keys(attributes).length === 0) return undefined;
  const copy: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes)) {
    copy[name] = {
      DataType: value.DataType ?? 'String',
      ...(value.StringValue !== undefined ? { StringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { BinaryValue: value.BinaryValue } : {}),
    };
  }
  return copy;
}
