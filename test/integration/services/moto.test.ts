/**
 * DynamoDB and S3 through the standard AWS variables (moto locally): a conditional write that
 * must fail the second time, and an S3 object round trip.
 */
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  PutItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { localS3Options } from '../../../local/provision/queues';
import { applyLocalServiceEnv } from '../../../local/services/endpoints';
import { runName } from './run-name';

applyLocalServiceEnv();

describe('DynamoDB', () => {
  it('rejects a second conditional write of the same key', async () => {
    const dynamodb = new DynamoDBClient({});
    const TableName = runName('conditional');
    await dynamodb.send(
      new CreateTableCommand({
        TableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    try {
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
    } finally {
      await dynamodb.send(new DeleteTableCommand({ TableName })).catch(() => undefined);
      dynamodb.destroy();
    }
  });
});

describe('S3', () => {
  it('stores and returns an object', async () => {
    const s3 = new S3Client(localS3Options);
    const Bucket = runName('bucket');
    const Key = 'a/b.json';
    await s3.send(new CreateBucketCommand({ Bucket }));
    try {
      await s3.send(new PutObjectCommand({ Bucket, Key, Body: '{"ok":true}' }));
      const { Body } = await s3.send(new GetObjectCommand({ Bucket, Key }));
      expect(await Body?.transformToString()).toBe('{"ok":true}');
    } finally {
      await s3.send(new DeleteObjectCommand({ Bucket, Key })).catch(() => undefined);
      await s3.send(new DeleteBucketCommand({ Bucket })).catch(() => undefined);
      s3.destroy();
    }
  });
});
