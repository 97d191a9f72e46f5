/**
 * DynamoDB and S3 through the standard AWS variables (moto locally): conditional writes and
 * atomic counters that stay correct under concurrency, and an S3 object round trip.
 */
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localS3Options } from '../../../local/provision/queues';
import { applyLocalServiceEnv } from '../../../local/services/endpoints';
import { runName } from '../../support/unique-name';

applyLocalServiceEnv();

describe('DynamoDB', () => {
  // DynamoDB is linearizable per item; moto's own server is not (every request on its own
  // thread, no lock), which is why the local service serves moto one request at a time.
  // These tests fail against plain `moto_server`: increments get lost, two puts both win.
  const dynamodb = new DynamoDBClient({
    // Enough sockets that the requests really run side by side.
    requestHandler: { httpAgent: { maxSockets: 256 } },
  });
  const TableName = runName('linearizable');

  beforeAll(async () => {
    await dynamodb.send(
      new CreateTableCommand({
        TableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    await waitUntilTableExists({ client: dynamodb, maxWaitTime: 60 }, { TableName });
  });

  const extraTables: string[] = [];
  afterAll(async () => {
    for (const name of [TableName, ...extraTables]) {
      await dynamodb.send(new DeleteTableCommand({ TableName: name })).catch(() => undefined);
    }
    dynamodb.destroy();
  });

  /** A table with a hash and a range key (pk, sk), deleted after the file; its name and ARN. */
  const rangeKeyTable = async (): Promise<{ name: string; arn: string }> => {
    const name = runName('range');
    extraTables.push(name);
    const created = await dynamodb.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
    await waitUntilTableExists({ client: dynamodb, maxWaitTime: 60 }, { TableName: name });
    const arn = created.TableDescription?.TableArn;
    if (arn === undefined) throw new Error(`CreateTable ${name} returned no ARN`);
    return { name, arn };
  };

  // A payload beside the counter or claim, as job records and projections carry: moto's
  // handling of it widens the window between reading an item and writing it back, so the
  // races below show on plain moto_server in most runs instead of a few.
  const payload = { L: Array.from({ length: 2000 }, (_, i) => ({ N: String(i) })) };

  it('rejects a second conditional write of the same key', async () => {
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

  it('sums N concurrent ADDs on one key to N', async () => {
    const keys = ['add-1', 'add-2', 'add-3', 'add-4', 'add-5'];
    const perKey = 40;
    const add = (id: string) =>
      dynamodb.send(
        new UpdateItemCommand({
          TableName,
          Key: { id: { S: id } },
          UpdateExpression: 'ADD #count :one SET #payload = :payload',
          ExpressionAttributeNames: { '#count': 'count', '#payload': 'payload' },
          ExpressionAttributeValues: { ':one': { N: '1' }, ':payload': payload },
        }),
      );
    await Promise.all(keys.flatMap((id) => Array.from({ length: perKey }, () => add(id))));
    const counts = await Promise.all(keys.map(async (id) => Number((await read(id))?.count?.N)));
    expect(counts).toEqual(keys.map(() => perKey));
  });

  it('lets exactly one of N concurrent conditional writes on one key win', async () => {
    const keys = Array.from({ length: 5 }, (_, i) => `claim-${i}`);
    const writers = 40;
    // A claim as the idempotency store makes one: set the owner if nobody has, count claims.
    const claim = (id: string, writer: number) =>
      dynamodb.send(
        new UpdateItemCommand({
          TableName,
          Key: { id: { S: id } },
          UpdateExpression: 'SET #owner = :writer, #payload = :payload ADD #claims :one',
          ConditionExpression: 'attribute_not_exists(#owner)',
          ExpressionAttributeNames: {
            '#owner': 'owner',
            '#payload': 'payload',
            '#claims': 'claims',
          },
          ExpressionAttributeValues: {
            ':writer': { N: String(writer) },
            ':payload': payload,
            ':one': { N: '1' },
          },
        }),
      );
    const results = await Promise.all(
      keys.map(async (id) => {
        const attempts = await Promise.allSettled(
          Array.from({ length: writers }, (_, writer) => claim(id, writer)),
        );
        const winners = attempts.flatMap((a, writer) => (a.status === 'fulfilled' ? [writer] : []));
        const refused = attempts.filter(
          (a) => a.status === 'rejected' && a.reason instanceof ConditionalCheckFailedException,
        ).length;
        const item = await read(id);
        return { winners, refused, owner: Number(item?.owner?.N), claims: Number(item?.claims?.N) };
      }),
    );
    for (const { winners, refused, owner, claims } of results) {
      expect(winners).toHaveLength(1);
      expect(refused).toBe(writers - 1);
      // The item holds the winner's write, and no refused write got in.
      expect({ owner, claims }).toEqual({ owner: winners[0], claims: 1 });
    }
  });

  // A marker put-if-absent beside an ADD, as detect-login-abuse counts a failure once.
  const countOnce = (marker: string, counter: string, guard?: string) =>
    dynamodb.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Put: {
              TableName,
              Item: { id: { S: marker }, payload },
              ConditionExpression: 'attribute_not_exists(id)',
            },
          },
          {
            Update: {
              TableName,
              Key: { id: { S: counter } },
              UpdateExpression: 'ADD #count :one',
              ExpressionAttributeNames: { '#count': 'count' },
              ExpressionAttributeValues: { ':one': { N: '1' } },
            },
          },
          ...(guard
            ? [
                {
                  ConditionCheck: {
                    TableName,
                    Key: { id: { S: guard } },
                    ConditionExpression: 'attribute_exists(id)',
                  },
                },
              ]
            : []),
        ],
      }),
    );

  it('rolls a cancelled transaction back in every item it named, and in no other', async () => {
    await countOnce('tx-marker-0', 'tx-counter');
    // The last item's condition fails after moto applied the first two: both are undone.
    await expect(countOnce('tx-marker-1', 'tx-counter', 'tx-absent')).rejects.toBeInstanceOf(
      TransactionCanceledException,
    );
    expect(await read('tx-marker-1')).toBeUndefined();
    expect((await read('tx-counter'))?.count?.N).toBe('1');
    // An item the transaction did not name keeps its value; the earlier marker stays.
    expect(await read('tx-marker-0')).toBeDefined();
    await countOnce('tx-marker-1', 'tx-counter', 'tx-marker-0');
    expect((await read('tx-counter'))?.count?.N).toBe('2');
  });

  it('rolls back a cancelled transaction on a range-key table named by its ARN', async () => {
    const byArn = await rangeKeyTable();
    const key = (pk: string, sk: string) => ({ pk: { S: pk }, sk: { S: sk } });
    await dynamodb.send(
      new PutItemCommand({ TableName: byArn.name, Item: { ...key('h1', 'a'), v: { N: '1' } } }),
    );
    const cancelled = dynamodb.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: byArn.arn, Item: { ...key('h2', 'x'), v: { N: '1' } } } },
          {
            Update: {
              TableName: byArn.arn,
              Key: key('h1', 'a'),
              UpdateExpression: 'SET v = :two',
              ExpressionAttributeValues: { ':two': { N: '2' } },
            },
          },
          {
            ConditionCheck: {
              TableName: byArn.arn,
              Key: key('absent', 'absent'),
              ConditionExpression: 'attribute_exists(pk)',
            },
          },
        ],
      }),
    );
    await expect(cancelled).rejects.toBeInstanceOf(TransactionCanceledException);
    const get = async (pk: string, sk: string) =>
      (
        await dynamodb.send(
          new GetItemCommand({ TableName: byArn.name, Key: key(pk, sk), ConsistentRead: true }),
        )
      ).Item;
    expect(await get('h2', 'x')).toBeUndefined();
    expect((await get('h1', 'a'))?.v?.N).toBe('1');
    const h2 = await dynamodb.send(
      new QueryCommand({
        TableName: byArn.name,
        KeyConditionExpression: 'pk = :h2',
        ExpressionAttributeValues: { ':h2': { S: 'h2' } },
      }),
    );
    expect(h2.Count).toBe(0);
  });

  it('applies exactly one of N concurrent transactions that put the same marker', async () => {
    const writers = 40;
    const attempts = await Promise.allSettled(
      Array.from({ length: writers }, () => countOnce('tx-same-marker', 'tx-same-counter')),
    );
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    expect(
      attempts.filter(
        (a) => a.status === 'rejected' && a.reason instanceof TransactionCanceledException,
      ),
    ).toHaveLength(writers - 1);
    expect((await read('tx-same-counter'))?.count?.N).toBe('1');
  });

  const read = async (id: string) =>
    (
      await dynamodb.send(
        new GetItemCommand({ TableName, Key: { id: { S: id } }, ConsistentRead: true }),
      )
    ).Item;
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
