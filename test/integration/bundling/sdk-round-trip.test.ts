/**
 * A bundle built as the functions are (infra/bundling.ts, the literal-schema-keys plugin
 * included) still speaks S3, SQS and DynamoDB: PutObject, GetObject and ListObjectsV2 against
 * moto, SendMessageBatch against ElasticMQ, GetItem against moto. This is what shows the
 * schemas the plugin rewrote still serialize and parse requests and responses, and that the
 * clients sign with the credentials Lambda's environment gives (the lambda-credentials
 * plugin's chain, with none of the default chain's STS, SSO or sign-in clients bundled).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
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
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFunction } from '../../../infra/bundling';
import { localS3Options } from '../../../local/provision/queues';
import { applyLocalServiceEnv } from '../../../local/services/endpoints';
import { runName } from '../../support/unique-name';
import type * as RoundTrip from './fixtures/sdk-round-trip';

applyLocalServiceEnv();

const s3 = new S3Client(localS3Options);
const sqs = new SQSClient({});
const dynamodb = new DynamoDBClient({});
const bucket = runName('bundle');
const table = runName('bundle');
const outdir = mkdtempSync(join(tmpdir(), 'sluice-bundle-it-'));
let queueUrl = '';

beforeAll(async () => {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: runName('bundle') })))
    .QueueUrl as string;
  await dynamodb.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
  await waitUntilTableExists({ client: dynamodb, maxWaitTime: 60 }, { TableName: table });
  await dynamodb.send(
    new PutItemCommand({
      TableName: table,
      Item: { id: { S: 'job-1' }, attempts: { N: '3' }, tags: { SS: ['a', 'b'] } },
    }),
  );
});

afterAll(async () => {
  await s3
    .send(new DeleteObjectCommand({ Bucket: bucket, Key: 'claims/one.json' }))
    .catch(() => undefined);
  await s3.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
  if (queueUrl) await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl })).catch(() => {});
  await dynamodb.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
  for (const client of [s3, sqs, dynamodb]) client.destroy();
  rmSync(outdir, { recursive: true, force: true });
});

describe('a function bundle built with the shared esbuild options and plugins', () => {
  it('puts, gets and lists S3 objects, sends an SQS batch and reads a DynamoDB item', async () => {
    const entry = fileURLToPath(new URL('fixtures/sdk-round-trip.ts', import.meta.url));
    const metafile = await buildFunction(entry, outdir, 'bundle-test');
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.some((path) => path.endsWith('functions/shared/lambda-credentials.ts'))).toBe(
      true,
    );
    expect(inputs.filter((path) => /credential-provider-node|nested-clients/.test(path))).toEqual(
      [],
    );
    const bundle = createRequire(import.meta.url)(join(outdir, 'index.js')) as typeof RoundTrip;

    const result = await bundle.roundTrip({ bucket, queueUrl, table, key: 'job-1' });

    expect(result.object).toEqual({
      body: '{"hello":"sluice"}',
      contentType: 'application/json',
      metadata: { sha256: 'abc' },
    });
    expect(result.listed).toEqual([{ Key: 'claims/one.json', Size: 18 }]);
    expect(result.keyCount).toBe(1);
    expect(result.sent).toEqual(['0', '1']);
    expect(result.failed).toEqual([]);
    expect(result.item).toEqual({
      id: { S: 'job-1' },
      attempts: { N: '3' },
      tags: { SS: ['a', 'b'] },
    });
    const bodies: Array<[string | undefined, string | undefined]> = [];
    for (let attempt = 0; attempt < 5 && bodies.length < 2; attempt++) {
      const received = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          MessageAttributeNames: ['All'],
          WaitTimeSeconds: 1,
        }),
      );
      for (const m of received.Messages ?? []) {
        bodies.push([m.Body, m.MessageAttributes?.job?.StringValue]);
      }
    }
    expect(bodies.sort()).toEqual([
      ['first', undefined],
      ['second', 'audit'],
    ]);
  });
});
