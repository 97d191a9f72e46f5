/**
 * ElasticMQ (SQS) and moto (DynamoDB, S3), spoken to through the standard AWS variables:
 * send/receive, a DLQ redrive with StartMessageMoveTask, a conditional write, S3 put/get.
 */
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  PutItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { localS3Options } from '../../../local/provision/queues';
import { applyLocalServiceEnv } from '../../../local/services/endpoints';

applyLocalServiceEnv();
const run = Date.now().toString(36);

describe('ElasticMQ (SQS)', () => {
  const sqs = new SQSClient({});
  const queue = async (name: string) => {
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: `sluice-it-${run}-${name}` }),
    );
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    return { url: QueueUrl as string, arn: Attributes?.QueueArn as string };
  };

  it('sends, receives, and moves DLQ messages to another queue', async () => {
    const dlq = await queue('dlq');
    const target = await queue('target');
    for (const n of [1, 2, 3]) {
      await sqs.send(new SendMessageCommand({ QueueUrl: dlq.url, MessageBody: `m${n}` }));
    }
    await sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, DestinationArn: target.arn }),
    );
    const bodies: string[] = [];
    for (let i = 0; i < 20 && bodies.length < 3; i++) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: target.url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
        }),
      );
      bodies.push(...Messages.map((m) => m.Body as string));
    }
    expect(bodies.sort()).toEqual(['m1', 'm2', 'm3']);
  });
});

describe('moto (DynamoDB and S3)', () => {
  it('rejects a second conditional write of the same key', async () => {
    const dynamodb = new DynamoDBClient({});
    const TableName = `sluice-it-${run}-conditional`;
    await dynamodb.send(
      new CreateTableCommand({
        TableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    await waitUntilTableExists({ client: dynamodb, maxWaitTime: 60 }, { TableName });
    const put = () =>
      dynamodb.send(
        new PutItemCommand({
          TableName,
          Item: { id: { S: 'a' } },
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );
    await put();
    await expect(put()).rejects.toBeInstanceOf(ConditionalCheckFailedException);
  });

  it('stores and returns an S3 object', async () => {
    const s3 = new S3Client(localS3Options);
    const Bucket = `sluice-it-${run}-bucket`;
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'a/b.json', Body: '{"ok":true}' }));
    const { Body } = await s3.send(new GetObjectCommand({ Bucket, Key: 'a/b.json' }));
    expect(await Body?.transformToString()).toBe('{"ok":true}');
  });
});
