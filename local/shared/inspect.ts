/**
 * Reading what the pipeline left behind, from the services themselves: every message of a queue (without consuming it), whole tables.
 */
import { type AttributeValue, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  ChangeMessageVisibilityBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/**
 * Every message of a queue, read and made visible again at once, so the queue is left as it
 * was (a redrive can follow). Expects `expected` messages and reads until it has them all
 * or two empty receives in a row.
 */
export async function peekAll(
  sqs: SQSClient,
  queueUrl: string,
  expected: number,
): Promise<Message[]> {
  const byId = new Map<string, Message>();
  const held: Message[] = [];
  for (let empty = 0; byId.size < expected && empty < 2; ) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 60,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    empty = Messages.length === 0 ? empty + 1 : 0;
    for (const message of Messages) {
      byId.set(message.MessageId as string, message);
      held.push(message);
    }
  }
  for (let start = 0; start < held.length; start += 10) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: held.slice(start, start + 10).map((m, i) => ({
          Id: String(i),
          ReceiptHandle: m.ReceiptHandle as string,
          VisibilityTimeout: 0,
        })),
      }),
    );
  }
  return [...byId.values()];
}

/** Every item of a table. */
export async function scanAll(
  dynamodb: DynamoDBClient,
  table: string,
): Promise<Array<Record<string, AttributeValue>>> {
  const items: Array<Record<string, AttributeValue>> = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(
      new ScanCommand({ TableName: table, ExclusiveStartKey: start }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Polls `check` until it returns true; reports progress through `progress` every few seconds. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  options: { timeoutMs: number; intervalMs?: number; progress?: () => Promise<string> },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastReport = Date.now();
  while (!(await check())) {
    if (Date.now() > deadline) {
      const detail = options.progress ? `: ${await options.progress()}` : '';
      throw new Error(`Timed out after ${options.timeoutMs} ms waiting for ${what}${detail}`);
    }
    if (options.progress && Date.now() - lastReport > 5_000) {
      process.stderr.write(`waiting for ${what}: ${await options.progress()}\n`);
      lastReport = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 500));
  }
}
