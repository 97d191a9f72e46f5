/**
 * The router against a real SQS-compatible server (ElasticMQ locally), S3 and DynamoDB (moto):
 * jobs, dead letters and claim checks arrive as specified, and "Start DLQ redrive" to the
 * replay queue (StartMessageMoveTask) runs dead letters through the same code after a fix.
 */
import { createHash } from 'node:crypto';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import {
  GetQueueAttributesCommand,
  type Message,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { EventParser } from '../../../functions/events/parse-event';
import { getClaimCheck } from '../../../functions/queues/claim-check';
import type { DeadLetter } from '../../../functions/queues/dead-letter';
import type { JobMessage } from '../../../functions/queues/job-message';
import { readJobPack } from '../../../functions/queues/job-pack';
import { DynamoDeadLetterLedger } from '../../../functions/router/dead-letter-ledger';
import type { MskRouterDeps } from '../../../functions/router/msk-batch';
import { handleMskEvent } from '../../../functions/router/msk-batch';
import { handleReplayEvent } from '../../../functions/router/replay';
import { localS3Options, provisionBucket, provisionQueues } from '../../../local/provision/queues';
import { provisionTables } from '../../../local/provision/tables';
import { applyLocalServiceEnv } from '../../../local/services/endpoints';
import { drainQueue } from '../../support/drain-queue';
import { registryKnowingLoginFailedV2 } from '../../support/fixed-registry';
import { mskEvent, mskRecord, structuredRecord } from '../../support/msk';
import { localRouterDeps } from '../../support/router';
import { itemSold, loginFailed, productPublished } from '../../support/sample-events';
import { uniqueStage } from '../../support/stage';

applyLocalServiceEnv();
const stage = uniqueStage('it');
const sqs = new SQSClient({});
const s3 = new S3Client(localS3Options);
const dynamodb = new DynamoDBClient({});
let urls: Map<string, string>;
let deps: MskRouterDeps;

function routerDeps(parser = new EventParser(), maxBytes = '8192'): MskRouterDeps {
  return localRouterDeps({ stage, queueUrlBase, claimCheckBucket: bucket, sqs, s3 }, parser, {
    SLUICE_MAX_MESSAGE_BYTES: maxBytes,
  });
}
let queueUrlBase = '';
let bucket = '';
let ledgerTable = '';

/** The dead-letter ledger in the stage's table, under a code version of its own. */
const ledgerFor = (codeVersion: string) =>
  new DynamoDeadLetterLedger(dynamodb, {
    table: ledgerTable,
    codeVersion,
    maxAttempts: 3,
    backoff: { baseMs: 10, capMs: 100 },
    concurrency: 8,
  });

/** Receives until the queue has been empty twice in a row; deletes what it read. */
const drain = (logicalName: string) => drainQueue(sqs, urls.get(logicalName) as string);

const bodies = <T>(messages: Message[]) => messages.map((m) => JSON.parse(m.Body ?? '') as T);

beforeAll(async () => {
  ({ urls, queueUrlBase } = await provisionQueues(sqs, stage));
  bucket = await provisionBucket(s3, stage);
  ledgerTable = (await provisionTables(dynamodb, stage)).get('ingestLedger') as string;
  deps = routerDeps();
});

describe('router against ElasticMQ and moto', () => {
  it('keeps its dead-letter ledger in DynamoDB: a page per partition and window, found again across batches', async () => {
    const ledger = ledgerFor('integration');
    const entry = (offset: number, partition = 0) => ({
      id: `id-${partition}-${offset}`,
      topic: 'orders.events',
      partition,
      offset,
    });
    const version = createHash('sha256').update('integration').digest('hex').slice(0, 16);
    const first = [entry(0), entry(9), entry(10), entry(3, 1)];
    const second = [entry(12), entry(20), entry(1_000_001), entry(5, 1)];
    expect(await ledger.record(first)).toEqual([]);
    expect(await ledger.record(second)).toEqual([]);
    // A redelivered batch adds nothing to its pages.
    expect(await ledger.record(first)).toEqual([]);
    const page = async (partition: number, window: number) => {
      const { Item } = await dynamodb.send(
        new GetItemCommand({
          TableName: ledgerTable,
          Key: { pageId: { S: `${version}#orders.events#${partition}#${window}` } },
          ConsistentRead: true,
        }),
      );
      return {
        offsets: Item?.offsets?.NS?.map(Number).sort((x, y) => x - y),
        ttl: Item?.expiresAt?.N,
      };
    };
    expect((await page(0, 0)).offsets).toEqual([0, 9, 10, 12, 20]);
    expect((await page(0, 1_000)).offsets).toEqual([1]);
    expect((await page(1, 0)).offsets).toEqual([3, 5]);
    expect(Number((await page(1, 0)).ttl)).toBeGreaterThan(Date.now() / 1000 + 29 * 86_400);

    const recorded = [...first, ...second];
    const asked = [
      ...recorded,
      entry(1),
      entry(11),
      entry(13),
      entry(19),
      entry(2, 1),
      entry(4, 1),
    ];
    const { sent, unknown } = await ledger.lookup(asked);
    expect([...sent].sort()).toEqual(recorded.map((e) => e.id).sort());
    expect(unknown.size).toBe(0);
    expect((await ledgerFor('other').lookup(recorded)).sent.size).toBe(0);
  });

  it('sends each dead letter once over redeliveries of its batch, whole or from the middle (DynamoDB ledger)', async () => {
    const ledgerDeps: MskRouterDeps = {
      ...routerDeps(),
      ledger: ledgerFor(`redelivery-${stage}`),
    };
    // Two partitions, routable and bad records interleaved.
    const records = [0, 1].flatMap((partition) =>
      Array.from({ length: 12 }, (_, offset) =>
        offset % 3 === 1
          ? mskRecord({ partition, offset, value: `not json ${partition}/${offset}` })
          : structuredRecord(productPublished(100 * partition + offset), { partition, offset }),
      ),
    );
    await handleMskEvent(mskEvent(records), ledgerDeps);
    await handleMskEvent(mskEvent(records), ledgerDeps);
    // Provisioned mode redelivers from the first reported offset: a tail of each partition.
    await handleMskEvent(mskEvent(records.filter((r) => r.offset >= 5)), ledgerDeps);

    const letters = bodies<DeadLetter>(await drain('ingest-dlq'));
    const coordinates = letters.map((l) => {
      const value = Buffer.from(l.record?.value ?? '', 'base64').toString();
      return value.replace('not json ', '');
    });
    expect(coordinates.sort()).toEqual(
      [0, 1].flatMap((p) => [1, 4, 7, 10].map((o) => `${p}/${o}`)).sort(),
    );
    expect(new Set(letters.map((l) => l.id)).size).toBe(8);
    // Jobs are not the ledger's business: a redelivery routes them again (idempotent jobs).
    await drain('job-index-product');
    await drain('job-audit');
  });

  it('packs the jobs of packed jobs (audit, index-product) of a partition into one message each, and sends others alone', async () => {
    const records = [
      ...Array.from({ length: 12 }, (_, offset) =>
        structuredRecord(productPublished(500 + offset), { partition: 0, offset }),
      ),
      ...[0, 1].map((offset) =>
        structuredRecord(loginFailed(600 + offset), { topic: 'identity.events', offset }),
      ),
    ];
    await handleMskEvent(mskEvent(records), deps);
    const offsetsOf = (message: Message | undefined) =>
      readJobPack(message?.Body ?? '')?.jobs.map((j) => (j as JobMessage).provenance.offset);
    const audit = await drain('job-audit');
    // One pack for catalog.events/0; identity.events/0's two jobs in a pack of their own.
    expect(audit).toHaveLength(2);
    expect(audit.map(offsetsOf).sort((x, y) => (x?.length ?? 0) - (y?.length ?? 0))).toEqual([
      [0, 1],
      records.slice(0, 12).map((r) => r.offset),
    ]);
    expect(audit.map((m) => m.MessageAttributes?.job?.StringValue)).toEqual(['audit', 'audit']);
    const index = await drain('job-index-product');
    expect(index.map(offsetsOf)).toEqual([records.slice(0, 12).map((r) => r.offset)]);
    // detect-login-abuse is not packed: a message per job.
    const abuse = bodies<JobMessage>(await drain('job-detect-login-abuse'));
    expect(abuse.map((j) => j.provenance.offset).sort()).toEqual([0, 1]);
  });

  it('enqueues jobs, dead-letters bad records and claim-checks oversized ones', async () => {
    const records = [
      structuredRecord(productPublished(1), { partition: 0, offset: 0 }),
      structuredRecord(itemSold(2), { topic: 'orders.events', partition: 1, offset: 0 }),
      mskRecord({ partition: 0, offset: 1, value: 'Hello, this is a test.' }),
      structuredRecord(
        { ...loginFailed(3), dataversion: 2 },
        { topic: 'identity.events', offset: 5 },
      ),
      mskRecord({ partition: 0, offset: 2, value: Buffer.alloc(20_000, 0xc3) }),
    ];
    await expect(handleMskEvent(mskEvent(records), deps)).resolves.toBeUndefined();

    const index = bodies<JobMessage>(await drain('job-index-product'));
    const commission = bodies<JobMessage>(await drain('job-record-commission'));
    const audit = bodies<JobMessage>(await drain('job-audit'));
    expect(index.map((j) => j.provenance.offset)).toEqual([0]);
    expect(commission.map((j) => j.provenance.topic)).toEqual(['orders.events']);
    expect(
      audit
        .map((j) => j.event)
        .map((e) => (e as { type: string }).type)
        .sort(),
    ).toEqual(['ITEM_SOLD', 'PRODUCT_PUBLISHED']);

    const dlq = await drain('ingest-dlq');
    const letters = bodies<DeadLetter>(dlq);
    expect(letters.map((l) => l.reason).sort()).toEqual([
      'NOT_DECODABLE',
      'NOT_JSON',
      'UNKNOWN_VERSION',
    ]);
    const notJson = letters.find((l) => l.reason === 'NOT_JSON');
    expect(Buffer.from(notJson?.record?.value ?? '', 'base64').toString()).toBe(
      'Hello, this is a test.',
    );
    const big = letters.find((l) => l.reason === 'NOT_DECODABLE');
    expect(big?.record).toBeUndefined();
    const stored = JSON.parse(
      await getClaimCheck(s3, big?.claimCheck as NonNullable<DeadLetter['claimCheck']>),
    ) as DeadLetter;
    expect(Buffer.from(stored.record?.value ?? '', 'base64')).toEqual(Buffer.alloc(20_000, 0xc3));
    const attributes = dlq.find((m) => m.Body?.includes('UNKNOWN_VERSION'))?.MessageAttributes;
    expect(attributes?.reason?.StringValue).toBe('UNKNOWN_VERSION');
    expect(attributes?.eventType?.StringValue).toBe('LOGIN_FAILED');
  });

  it('replays dead letters redriven to the replay queue once the fix is deployed', async () => {
    const records = [
      structuredRecord(
        { ...loginFailed(7), dataversion: 2 },
        { topic: 'identity.events', offset: 70 },
      ),
      mskRecord({ offset: 71, value: 'still broken' }),
    ];
    await handleMskEvent(mskEvent(records), deps);
    const dlqUrl = urls.get('ingest-dlq') as string;
    const replayUrl = urls.get('ingest-replay') as string;
    const arn = async (url: string) =>
      (
        await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
        )
      ).Attributes?.QueueArn as string;
    await sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: await arn(dlqUrl),
        DestinationArn: await arn(replayUrl),
      }),
    );
    const redriven: Message[] = [];
    for (let i = 0; i < 30 && redriven.length < 2; i++)
      redriven.push(...(await drain('ingest-replay')));
    expect(redriven).toHaveLength(2);

    // The fix: this code now knows LOGIN_FAILED v2.
    const fixed = routerDeps(new EventParser(registryKnowingLoginFailedV2()));
    const event: SQSEvent = {
      Records: redriven.map((m) => ({
        messageId: m.MessageId as string,
        receiptHandle: m.ReceiptHandle as string,
        body: m.Body as string,
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: '0',
          SenderId: 'x',
          ApproximateFirstReceiveTimestamp: '0',
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn',
        awsRegion: 'us-east-1',
      })),
    };
    await expect(handleReplayEvent(event, fixed)).resolves.toEqual({ batchItemFailures: [] });
    const abuse = bodies<JobMessage>(await drain('job-detect-login-abuse'));
    expect(abuse.map((j) => j.provenance.offset)).toEqual([70]);
    const again = bodies<DeadLetter>(await drain('ingest-dlq'));
    expect(again.map((l) => [l.record?.offset, l.history.length])).toEqual([[71, 2]]);
  });
});
