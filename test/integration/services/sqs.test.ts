/**
 * SQS through the standard AWS variables (ElasticMQ locally): send and receive with message
 * attributes, real dead-lettering through a redrive policy, and a DLQ redrive with
 * StartMessageMoveTask to a custom destination queue.
 */
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { applyLocalServiceEnv } from '../../../local/services/endpoints';
import { runName } from '../../support/unique-name';

applyLocalServiceEnv();
const sqs = new SQSClient({});
const created: string[] = [];

async function createQueue(
  suffix: string,
  attributes: Record<string, string> = {},
): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: runName(suffix), Attributes: attributes }),
  );
  if (!QueueUrl) throw new Error('CreateQueue returned no QueueUrl');
  created.push(QueueUrl);
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  return { url: QueueUrl, arn: Attributes?.QueueArn ?? '' };
}

/** ApproximateNumberOfMessages: exact enough on ElasticMQ, and on SQS once it settles. */
async function visibleMessages(url: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages'],
    }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0);
}

/** Receives until `count` messages arrived or `rounds` one-second polls found nothing more. */
async function receiveAll(url: string, count: number, rounds = 10): Promise<Message[]> {
  const messages: Message[] = [];
  for (let i = 0; i < rounds && messages.length < count; i++) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    messages.push(...Messages);
  }
  return messages;
}

describe('SQS', () => {
  afterAll(async () => {
    await Promise.all(
      created.map((QueueUrl) =>
        sqs.send(new DeleteQueueCommand({ QueueUrl })).catch(() => undefined),
      ),
    );
    sqs.destroy();
  });

  it('sends and receives a message with attributes', async () => {
    const queue = await createQueue('plain');
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: '{"hello":"world"}',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'greeting' } },
      }),
    );
    const [message] = await receiveAll(queue.url, 1);
    expect(message?.Body).toBe('{"hello":"world"}');
    expect(message?.MessageAttributes?.kind?.StringValue).toBe('greeting');
  });

  it('dead-letters after maxReceiveCount and redrives the DLQ to a custom queue', async () => {
    const dlq = await createQueue('dlq');
    const source = await createQueue('source', {
      VisibilityTimeout: '1',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 1 }),
    });
    const destination = await createQueue('replay');
    for (const n of [1, 2, 3]) {
      await sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: `m${n}` }));
    }

    // Receive each message once without deleting it. Once the visibility timeout has passed,
    // the next receive on the source would be the second, so SQS moves them to the DLQ then.
    // The DLQ is only counted, not received from, so its messages stay visible for the redrive.
    expect(await receiveAll(source.url, 3)).toHaveLength(3);
    let dead = 0;
    for (let i = 0; i < 15 && dead < 3; i++) {
      expect(await receiveAll(source.url, 1, 1)).toEqual([]);
      dead = await visibleMessages(dlq.url);
    }
    expect(dead).toBe(3);

    const { TaskHandle } = await sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, DestinationArn: destination.arn }),
    );
    expect(TaskHandle).toBeTruthy();
    const replayed = await receiveAll(destination.url, 3, 15);
    expect(replayed.map((m) => m.Body).sort()).toEqual(['m1', 'm2', 'm3']);

    const { Results = [] } = await sqs.send(
      new ListMessageMoveTasksCommand({ SourceArn: dlq.arn }),
    );
    expect(Results[0]?.DestinationArn).toBe(destination.arn);
  });
});
