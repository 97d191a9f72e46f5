import { Type } from '@sinclair/typebox';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { EventParser } from '../../../functions/events/parse-event';
import { EVENT_TYPES, EventRegistry } from '../../../functions/events/registry';
import type { DeadLetter } from '../../../functions/queues/dead-letter';
import type { JobMessage } from '../../../functions/queues/job-message';
import { handleMskEvent } from '../../../functions/router/msk-batch';
import { handleReplayEvent } from '../../../functions/router/replay';
import { mskEvent, mskRecord, structuredRecord } from '../../support/msk';
import { TEST_QUEUE_BASE, testRouterDeps } from '../../support/router';
import { loginFailed } from '../../support/sample-events';
import { memorySink } from '../../support/sqs-sink';

const INGEST_DLQ = `${TEST_QUEUE_BASE}sluice-test-ingest-dlq`;
const AUDIT = `${TEST_QUEUE_BASE}sluice-test-job-audit`;

const sqsRecord = (body: string, n: number): SQSRecord => ({
  messageId: `m-${n}`,
  receiptHandle: `r-${n}`,
  body,
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: '1764324000000',
    SenderId: 'x',
    ApproximateFirstReceiveTimestamp: '1764324000000',
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:sluice-test-ingest-replay',
  awsRegion: 'eu-west-1',
});
const sqsEvent = (bodies: string[]): SQSEvent => ({ Records: bodies.map(sqsRecord) });

/** LOGIN_FAILED v2 (adds an optional `country`), known only to the "fixed" code. */
function registryWithLoginV2(): EventRegistry {
  const definitions = EVENT_TYPES.map((definition) => {
    if (definition.type !== 'LOGIN_FAILED') return definition;
    const v1 = definition.versions[0];
    if (!v1) throw new Error('LOGIN_FAILED v1 missing');
    return {
      ...definition,
      versions: [
        { ...v1, upcast: (data: never) => ({ ...(data as object), country: null }) },
        {
          version: 2,
          schema: Type.Intersect([
            v1.schema,
            Type.Object({ country: Type.Optional(Type.Union([Type.String(), Type.Null()])) }),
          ]),
        },
      ],
    };
  });
  return new EventRegistry(definitions);
}

async function deadLettersFromRouter(env: Record<string, string> = {}) {
  const deps = testRouterDeps({ env });
  const sink = memorySink(deps.sqs, deps.s3);
  const records = [
    structuredRecord({ ...loginFailed(1), dataversion: 2 }, { offset: 40 }),
    mskRecord({ offset: 41, value: 'still not json' }),
  ];
  await handleMskEvent(mskEvent(records), deps);
  return { bodies: sink.on(INGEST_DLQ).map((m) => m.body), objects: sink.objects };
}

describe('replay handler', () => {
  it('routes a dead-lettered record once the fix (a new schema version) is deployed', async () => {
    const { bodies } = await deadLettersFromRouter();
    expect(bodies).toHaveLength(2);
    const fixed = testRouterDeps({ parser: new EventParser(registryWithLoginV2()) });
    const sink = memorySink(fixed.sqs, fixed.s3);
    const response = await handleReplayEvent(sqsEvent(bodies), fixed);
    expect(response.batchItemFailures).toEqual([]);
    const [audit] = sink.bodies<JobMessage>(AUDIT);
    expect(audit?.provenance).toMatchObject({ topic: 'catalog.events', offset: 40 });
    expect(audit?.event).toMatchObject({ type: 'LOGIN_FAILED', dataversion: 2 });

    // The record that is still broken is dead-lettered again, its history kept and extended.
    const [again, ...rest] = sink.bodies<DeadLetter>(INGEST_DLQ);
    expect(rest).toHaveLength(0);
    expect(again?.record?.offset).toBe(41);
    expect(again?.history.map((h) => h.reason)).toEqual(['NOT_JSON', 'NOT_JSON']);
    expect(again?.firstFailedAt).toBe('2026-11-28T10:00:00.000Z');
  });

  it('reads records stored behind a claim check', async () => {
    const deps = testRouterDeps({ env: { SLUICE_MAX_MESSAGE_BYTES: '2048' } });
    const sink = memorySink(deps.sqs, deps.s3);
    const event = loginFailed(3) as { data: Record<string, unknown> };
    const big = { ...event, dataversion: 2, data: { ...event.data, note: 'n'.repeat(3000) } };
    await handleMskEvent(mskEvent([structuredRecord(big, { offset: 9 })]), deps);
    const [pointer] = sink.bodies<DeadLetter>(INGEST_DLQ);
    expect(pointer?.claimCheck).toBeDefined();

    const fixed = testRouterDeps({
      parser: new EventParser(registryWithLoginV2()),
      env: { SLUICE_MAX_MESSAGE_BYTES: '8192' },
    });
    const replaySink = memorySink(fixed.sqs, fixed.s3);
    for (const [key, value] of sink.objects) replaySink.objects.set(key, value);
    const response = await handleReplayEvent(sqsEvent([JSON.stringify(pointer)]), fixed);
    expect(response.batchItemFailures).toEqual([]);
    expect(replaySink.bodies<JobMessage>(AUDIT)[0]?.provenance.offset).toBe(9);
  });

  it('leaves a message for SQS to retry when its claim check cannot be read for now', async () => {
    const deps = testRouterDeps();
    const sink = memorySink(deps.sqs, deps.s3);
    sink.s3Mock.reset();
    sink.s3Mock.rejects(
      Object.assign(new Error('slow down'), {
        name: 'SlowDown',
        $metadata: { httpStatusCode: 503 },
      }),
    );
    const pointer = {
      kind: 'sluice.dead-letter',
      v: 1,
      stage: 'ingest',
      history: [],
      claimCheck: { bucket: 'b', key: 'k', bytes: 1, sha256: 'x' },
    };
    const response = await handleReplayEvent(sqsEvent([JSON.stringify(pointer)]), deps);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }]);
    expect(sink.sent).toHaveLength(0);
  });

  it('dead-letters a message that is not an ingest dead letter, keeping its body', async () => {
    const deps = testRouterDeps();
    const sink = memorySink(deps.sqs, deps.s3);
    const response = await handleReplayEvent(sqsEvent(['{"hello":"world"}']), deps);
    expect(response.batchItemFailures).toEqual([]);
    const [letter] = sink.bodies<DeadLetter>(INGEST_DLQ);
    expect(Buffer.from(letter?.record?.value ?? '', 'base64').toString()).toBe('{"hello":"world"}');
    expect(letter?.history[0]?.reason).toBe('NOT_A_DEAD_LETTER');
  });

  it('dead-letters a pointer whose claim check is gone as CLAIM_CHECK_MISSING, keeping the pointer', async () => {
    const deps = testRouterDeps();
    const sink = memorySink(deps.sqs, deps.s3); // no objects: every GetObject is NoSuchKey
    const claimCheck = {
      bucket: 'b',
      key: 'ingest/orders.events/0/7-abc.json',
      bytes: 9,
      sha256: 'x',
    };
    const pointer = {
      kind: 'sluice.dead-letter',
      v: 1,
      stage: 'ingest',
      reason: 'NOT_JSON',
      event: { type: 'ITEM_SOLD' },
      firstFailedAt: '2026-11-01T00:00:00.000Z',
      history: [
        {
          at: '2026-11-01T00:00:00.000Z',
          errorClass: 'X',
          message: 'm',
          reason: 'NOT_JSON',
          codeVersion: 'old',
        },
      ],
      claimCheck,
    };
    const response = await handleReplayEvent(sqsEvent([JSON.stringify(pointer)]), deps);
    expect(response.batchItemFailures).toEqual([]);
    const [letter, ...rest] = sink.bodies<DeadLetter>(INGEST_DLQ);
    expect(rest).toHaveLength(0);
    expect(letter).toMatchObject({
      reason: 'CLAIM_CHECK_MISSING',
      claimCheck,
      event: { type: 'ITEM_SOLD' },
      firstFailedAt: '2026-11-01T00:00:00.000Z',
    });
    expect(letter?.record).toBeUndefined();
    expect(letter?.history.map((h) => h.reason)).toEqual(['NOT_JSON', 'CLAIM_CHECK_MISSING']);
  });

  it('keeps only well-formed history from a replayed letter, so a hostile one cannot break the next', async () => {
    const deps = testRouterDeps();
    const sink = memorySink(deps.sqs, deps.s3);
    const letter = {
      kind: 'sluice.dead-letter',
      v: 1,
      stage: 'ingest',
      history: [],
      record: {
        topic: 't',
        partition: 0,
        offset: 1,
        timestamp: 0,
        timestampType: 'CREATE_TIME',
        key: null,
        value: Buffer.from('still not json').toString('base64'),
        headers: [],
      },
    };
    // JSON.stringify cannot write it back: the body is built by hand.
    const body = JSON.stringify(letter).replace(
      '"history":[]',
      `"history":[null,{"at":"a","errorClass":"E","message":${'['.repeat(20_000)}0${']'.repeat(20_000)},"reason":"NOT_JSON","codeVersion":"v"}]`,
    );
    const response = await handleReplayEvent(sqsEvent([body]), deps);
    expect(response.batchItemFailures).toEqual([]);
    const [again] = sink.bodies<DeadLetter>(INGEST_DLQ);
    expect(again?.history.map((h) => [h.reason, h.message])).toEqual([
      ['NOT_JSON', ''],
      ['NOT_JSON', expect.stringContaining('not JSON')],
    ]);
  });
});
