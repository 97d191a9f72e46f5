import { readFileSync } from 'node:fs';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { MSKEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../../functions/queues/dead-letter';
import { type JobMessage, jobIdOf } from '../../../functions/queues/job-message';
import { handleMskEvent } from '../../../functions/router/msk-batch';
import { PermanentError, TransientError } from '../../../functions/shared/errors';
import { mskEvent, mskRecord, structuredRecord } from '../../support/msk';
import { TEST_QUEUE_BASE, testRouterDeps } from '../../support/router';
import { itemSold, loginFailed, productPublished } from '../../support/sample-events';
import { memorySink } from '../../support/sqs-sink';

const fixture = (name: string): MSKEvent =>
  JSON.parse(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8'));
const queue = (name: string) => `${TEST_QUEUE_BASE}sluice-test-${name}`;
const INGEST_DLQ = queue('ingest-dlq');

function setup(env: Record<string, string> = {}) {
  const deps = testRouterDeps({ env });
  const sink = memorySink(deps.sqs, deps.s3);
  return { deps, sink };
}

describe('router: the AWS documentation sample MSK event', () => {
  it('dead-letters its plain-text value as NOT_JSON with the complete record', async () => {
    const { deps, sink } = setup();
    const event = fixture('msk-event-aws-docs.json');
    await expect(handleMskEvent(event, deps)).resolves.toBeUndefined();

    const [letter, ...others] = sink.bodies<DeadLetter>(INGEST_DLQ);
    expect(others).toHaveLength(0);
    const original = event.records['mytopic-0']?.[0];
    expect(letter).toMatchObject({
      kind: 'sluice.dead-letter',
      stage: 'ingest',
      reason: 'NOT_JSON',
      codeVersion: 'test-sha',
      firstFailedAt: '2026-11-28T10:00:00.000Z',
      record: {
        topic: 'mytopic',
        partition: 0,
        offset: 15,
        timestamp: 1545084650987,
        timestampType: 'CREATE_TIME',
        key: original?.key,
        value: original?.value,
        headers: [{ name: 'headerKey', value: Buffer.from('headerValue').toString('base64') }],
      },
    });
    expect(letter?.error.message).toContain('Hello, this is a test.');
    expect(letter?.history).toHaveLength(1);
    expect(letter?.knownVersions).toMatchObject({ ITEM_SOLD: [1, 2] });
    expect(sink.on(INGEST_DLQ)[0]?.attributes).toEqual({
      stage: 'ingest',
      reason: 'NOT_JSON',
      codeVersion: 'test-sha',
    });
    expect(sink.sent.filter((m) => m.queueUrl !== INGEST_DLQ)).toHaveLength(0);
  });

  it('routes a valid CloudEvent in the same shape to its job and the audit job', async () => {
    const { deps, sink } = setup();
    await handleMskEvent(fixture('msk-event-valid-cloudevent.json'), deps);
    const [indexJob] = sink.bodies<JobMessage>(queue('job-index-product'));
    const [auditJob] = sink.bodies<JobMessage>(queue('job-audit'));
    expect(sink.on(INGEST_DLQ)).toHaveLength(0);
    expect(indexJob).toEqual({
      kind: 'sluice.job',
      v: 1,
      jobId: jobIdOf('urn:shop:catalog', '9f1c2e7a-5b1d-4c2e-9d3a-1f2e3d4c5b6a', 'index-product'),
      job: 'index-product',
      enqueuedAt: '2026-11-28T10:00:00.000Z',
      routerVersion: 'test-sha',
      provenance: {
        topic: 'catalog.events',
        partition: 0,
        offset: 15,
        timestamp: 1545084650987,
        key: 'prod-42',
      },
      event: expect.objectContaining({
        type: 'PRODUCT_PUBLISHED',
        dataversion: 1,
        data: { productId: 'prod-42', catalogVersion: 7 },
      }),
    });
    expect(auditJob?.jobId).not.toBe(indexJob?.jobId);
    expect(sink.on(queue('job-audit'))[0]?.attributes).toEqual({
      job: 'audit',
      eventType: 'PRODUCT_PUBLISHED',
    });
  });
});

describe('router: fan-out, metrics and logs', () => {
  it('gives the same job ids for a redelivered event', async () => {
    const { deps, sink } = setup();
    const records = [0, 1].map((offset) => structuredRecord(itemSold(5), { offset }));
    await handleMskEvent(mskEvent(records), deps);
    const ids = sink.bodies<JobMessage>(queue('job-record-commission')).map((j) => j.jobId);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(1);
  });

  it('publishes counts by type, version and reason, with undimensioned totals', async () => {
    const { deps } = setup();
    const records = [
      structuredRecord(loginFailed(1), { offset: 0 }),
      structuredRecord({ ...itemSold(1), dataversion: 9 }, { offset: 1 }),
      mskRecord({ offset: 2, value: 'not json' }),
    ];
    await handleMskEvent(mskEvent(records), deps);
    const published = deps.metricSink.published;
    const total = (name: string) =>
      published.find((m) => m.name === name && Object.keys(m.dimensions).length === 0)?.value;
    expect(total('RecordsReceived')).toBe(3);
    expect(total('JobsEnqueued')).toBe(2);
    expect(total('RecordsDeadLettered')).toBe(2);
    expect(published).toContainEqual({
      name: 'UnknownSchemaVersions',
      value: 1,
      dimensions: { EventType: 'ITEM_SOLD', SchemaVersion: '9' },
    });
    expect(published).toContainEqual({
      name: 'RecordsDeadLettered',
      value: 1,
      dimensions: { Reason: 'NOT_JSON' },
    });
    const warning = deps.log.entries.find((e) => e.extra[0]?.reason === 'UNKNOWN_VERSION');
    expect(warning?.extra[0]).toMatchObject({
      correlation_id: 'evt-sale-1',
      offset: 1,
      path: '/dataversion',
    });
  });

  it('skips, with a metric, a valid event whose type has no route', async () => {
    const deps = testRouterDeps({ routes: { ITEM_SOLD: ['record-commission'] } });
    const sink = memorySink(deps.sqs, deps.s3);
    await handleMskEvent(mskEvent([structuredRecord(loginFailed(1), { offset: 0 })]), deps);
    expect(sink.sent).toHaveLength(0);
    expect(deps.metricSink.published).toContainEqual({
      name: 'RecordsSkipped',
      value: 1,
      dimensions: { EventType: 'LOGIN_FAILED' },
    });
  });
});

describe('router: size limits and the claim check', () => {
  it('stores a dead letter too large for SQS in S3 and sends a pointer', async () => {
    const { deps, sink } = setup({ SLUICE_MAX_MESSAGE_BYTES: '2048' });
    const big = Buffer.alloc(5000, 0xff); // not UTF-8, far larger than the limit
    await handleMskEvent(mskEvent([mskRecord({ offset: 7, value: big })]), deps);
    const [pointer] = sink.bodies<DeadLetter>(INGEST_DLQ);
    expect(pointer?.record).toBeUndefined();
    expect(pointer?.reason).toBe('NOT_DECODABLE');
    expect(pointer?.claimCheck?.bucket).toBe('sluice-test-claim-check');
    expect(sink.on(INGEST_DLQ)[0]?.attributes.claimCheck).toBe('true');
    const stored = JSON.parse(
      sink.objects.get(`sluice-test-claim-check/${pointer?.claimCheck?.key}`) ?? '{}',
    ) as DeadLetter;
    expect(stored.record?.value).toBe(big.toString('base64'));
    expect(stored.record?.offset).toBe(7);
  });

  it('dead-letters a valid event whose job message cannot fit in SQS (JOB_REJECTED)', async () => {
    const { deps, sink } = setup({ SLUICE_MAX_MESSAGE_BYTES: '2048' });
    const event = loginFailed(1) as { data: Record<string, unknown> };
    const huge = { ...event, data: { ...event.data, note: 'x'.repeat(3000) } };
    await handleMskEvent(mskEvent([structuredRecord(huge, { offset: 3 })]), deps);
    const [pointer] = sink.bodies<DeadLetter>(INGEST_DLQ);
    expect(pointer?.reason).toBe('JOB_REJECTED');
    expect(pointer?.error.message).toContain('exceeds the SQS limit of 2048 bytes');
    expect(pointer?.claimCheck).toBeDefined();
  });
});

describe('router: transient failures', () => {
  const throttled = () =>
    Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 },
    });

  it('fails the batch when jobs cannot be enqueued, and sends each dead letter once over the retries', async () => {
    const { deps, sink } = setup();
    sink.sqsMock.on(SendMessageBatchCommand).callsFake((input) => {
      if (input.QueueUrl !== INGEST_DLQ) throw throttled();
      for (const e of input.Entries) {
        sink.sent.push({ queueUrl: input.QueueUrl, body: e.MessageBody, attributes: {} });
      }
      return { Successful: input.Entries.map((e: { Id: string }) => ({ Id: e.Id })), Failed: [] };
    });
    const records = [
      structuredRecord(loginFailed(1), { offset: 0 }),
      mskRecord({ offset: 1, value: 'not json' }),
    ];
    for (let delivery = 1; delivery <= 3; delivery++) {
      await expect(handleMskEvent(mskEvent(records), deps)).rejects.toBeInstanceOf(TransientError);
    }
    // Only the failing record pays: the dead letter went out on the first delivery only.
    expect(sink.bodies<DeadLetter>(INGEST_DLQ).map((d) => d.record?.offset)).toEqual([1]);
    const calls = sink.sqsMock.commandCalls(SendMessageBatchCommand);
    expect(calls.filter((c) => c.args[0].input.QueueUrl === INGEST_DLQ)).toHaveLength(1);
    expect(calls.length).toBeGreaterThanOrEqual(3 * deps.config.sendMaxAttempts);
  });

  it('with ReportBatchItemFailures, reports the first unenqueued offset per partition', async () => {
    const { deps, sink } = setup({ SLUICE_REPORT_BATCH_ITEM_FAILURES: 'true' });
    sink.sqsMock.on(SendMessageBatchCommand).callsFake((input) => {
      const entries: Array<{ Id: string; MessageBody: string }> = input.Entries;
      // LOGIN_FAILED's own job never gets through; everything else does (its audit job rides
      // in a pack with the partition's other audit jobs).
      const failing = input.QueueUrl === queue('job-detect-login-abuse') ? entries : [];
      for (const e of entries.filter((x) => !failing.includes(x))) {
        sink.sent.push({ queueUrl: input.QueueUrl, body: e.MessageBody, attributes: {} });
      }
      return {
        Successful: entries.filter((e) => !failing.includes(e)).map((e) => ({ Id: e.Id })),
        Failed: failing.map((e) => ({ Id: e.Id, Code: 'InternalError', SenderFault: false })),
      };
    });
    const records = [
      structuredRecord(productPublished(1), { partition: 0, offset: 10 }),
      structuredRecord(loginFailed(1), { partition: 0, offset: 11 }),
      mskRecord({ partition: 0, offset: 12, value: 'bad' }),
      mskRecord({ partition: 1, offset: 5, value: 'bad' }),
      structuredRecord(productPublished(2), { partition: 1, offset: 6 }),
    ];
    const response = await handleMskEvent(mskEvent(records), deps);
    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: { partition: 'catalog.events-0', offset: 11 } }],
    });
    const dead = sink.bodies<DeadLetter>(INGEST_DLQ).map((d) => d.record?.offset);
    // Offset 12 is dead-lettered too: when Lambda redelivers from 11, the ledger keeps its
    // dead letter from going out again.
    expect(dead.sort()).toEqual([12, 5]);
    const again = await handleMskEvent(mskEvent(records.slice(1, 3)), deps);
    expect(again?.batchItemFailures).toHaveLength(1);
    expect(sink.on(INGEST_DLQ)).toHaveLength(2);
  });

  it('dead-letters a record one of whose jobs SQS refuses after its other job was accepted, naming both', async () => {
    const { deps, sink } = setup();
    const AUDIT = queue('job-audit');
    sink.sqsMock.on(SendMessageBatchCommand).callsFake((input) => {
      const entries: Array<{ Id: string; MessageBody: string }> = input.Entries;
      if (input.QueueUrl === AUDIT) {
        return {
          Successful: [],
          Failed: entries.map((e) => ({
            Id: e.Id,
            Code: 'InvalidParameterValue',
            SenderFault: true,
          })),
        };
      }
      for (const e of entries) {
        sink.sent.push({ queueUrl: input.QueueUrl, body: e.MessageBody, attributes: {} });
      }
      return { Successful: entries.map((e) => ({ Id: e.Id })), Failed: [] };
    });
    await handleMskEvent(mskEvent([structuredRecord(itemSold(1), { offset: 4 })]), deps);
    // The commission job stays enqueued; the dead letter says so, and a replay enqueues both
    // again (the commission job's id makes it a duplicate the worker suppresses).
    expect(sink.bodies<JobMessage>(queue('job-record-commission'))).toHaveLength(1);
    const [letter] = sink.bodies<DeadLetter>(INGEST_DLQ);
    expect(letter).toMatchObject({
      reason: 'JOB_REJECTED',
      routing: { enqueued: ['record-commission'], rejected: ['audit'] },
      record: { offset: 4 },
    });
  });

  it('stops the batch on a configuration fault', async () => {
    const { deps, sink } = setup();
    sink.sqsMock.on(SendMessageBatchCommand).rejects(
      Object.assign(new Error('The specified queue does not exist.'), {
        name: 'QueueDoesNotExist',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    await expect(
      handleMskEvent(mskEvent([structuredRecord(loginFailed(1), { offset: 0 })]), deps),
    ).rejects.toBeInstanceOf(PermanentError);
  });
});

describe('router: keys and headers', () => {
  it('handles keyless records and keeps non-UTF-8 keys as base64', async () => {
    const { deps, sink } = setup();
    const keyless = structuredRecord(loginFailed(1), { offset: 0, key: null });
    const binaryKey = structuredRecord(loginFailed(2), { offset: 1 });
    binaryKey.key = Buffer.from([0xff, 0xfe]).toString('base64');
    await handleMskEvent(mskEvent([keyless, binaryKey]), deps);
    const keys = sink
      .bodies<JobMessage>(queue('job-detect-login-abuse'))
      .map((j) => j.provenance.key);
    expect(keys).toEqual([null, '//4=']);
  });
});
