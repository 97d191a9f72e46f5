/**
 * Records built to break the router rather than to be events: each ends dead-lettered on its
 * own (LIMIT_EXCEEDED, ROUTER_ERROR, a schema violation in linear time), the rest of its
 * batch is routed, and no invocation fails for it — in both modes and on replay.
 */
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { EVENT_LIMITS, limitViolation } from '../../../functions/events/limits';
import { EventParser } from '../../../functions/events/parse-event';
import type { DeadLetter } from '../../../functions/queues/dead-letter';
import type { JobMessage } from '../../../functions/queues/job-message';
import { handleMskEvent } from '../../../functions/router/msk-batch';
import { handleReplayEvent } from '../../../functions/router/replay';
import { mskEvent, mskRecord, structuredRecord } from '../../support/msk';
import { TEST_QUEUE_BASE, testRouterDeps } from '../../support/router';
import { itemSoldV1, loginFailed } from '../../support/sample-events';
import { memorySink } from '../../support/sqs-sink';

const INGEST_DLQ = `${TEST_QUEUE_BASE}sluice-test-ingest-dlq`;
const AUDIT = `${TEST_QUEUE_BASE}sluice-test-job-audit`;

/** A valid ITEM_SOLD v1 (upcast, so serialised) whose data carries an unknown nested field. */
function nested(depth: number): string {
  const event = itemSoldV1(1) as { data: Record<string, unknown> };
  const text = JSON.stringify({ ...event, data: { ...event.data, extra: 0 } });
  return text.replace('"extra":0', `"extra":${'['.repeat(depth)}${']'.repeat(depth)}`);
}

async function route(records: Parameters<typeof mskEvent>[0], mode: 'on-demand' | 'reporting') {
  const deps = testRouterDeps({
    env: { SLUICE_REPORT_BATCH_ITEM_FAILURES: String(mode === 'reporting') },
  });
  const sink = memorySink(deps.sqs, deps.s3);
  const response = await handleMskEvent(mskEvent(records), deps);
  const letters = sink.bodies<DeadLetter>(INGEST_DLQ);
  return { deps, sink, response, letters };
}

describe.each(['on-demand', 'reporting'] as const)('hostile records (%s mode)', (mode) => {
  const ok = mode === 'reporting' ? { batchItemFailures: [] } : undefined;

  it('dead-letters a valid event nested 20,000 deep (a RangeError once) and routes the rest', async () => {
    const { response, letters, sink } = await route(
      [
        mskRecord({ offset: 0, value: nested(20_000) }),
        structuredRecord(loginFailed(1), { offset: 1 }),
      ],
      mode,
    );
    expect(response).toEqual(ok);
    expect(letters.map((l) => [l.record?.offset, l.reason, l.error.path])).toEqual([
      [0, 'LIMIT_EXCEEDED', `/data/extra${'/0'.repeat(EVENT_LIMITS.maxDepth - 2)}`],
    ]);
    expect(sink.bodies<JobMessage>(AUDIT).map((j) => j.provenance.offset)).toEqual([1]);
  });

  it('dead-letters a value of 100,000 open brackets (JSON.parse is iterative in V8)', async () => {
    const text = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const { response, letters } = await route([mskRecord({ offset: 0, value: text })], mode);
    expect(response).toEqual(ok);
    expect(letters.map((l) => l.reason)).toEqual(['LIMIT_EXCEEDED']);
  });

  it('dead-letters records over the size limits: value, key, headers', async () => {
    const many = Array.from({ length: EVENT_LIMITS.maxHeaders + 1 }, (_, i): [string, string] => [
      `h${i}`,
      'x',
    ]);
    const { response, letters } = await route(
      [
        mskRecord({ offset: 0, value: 'x'.repeat(EVENT_LIMITS.maxValueBytes + 1) }),
        structuredRecord(loginFailed(1), {
          offset: 1,
          key: 'k'.repeat(EVENT_LIMITS.maxRecordKeyBytes + 1),
        }),
        structuredRecord(loginFailed(2), { offset: 2, headers: many }),
        structuredRecord(loginFailed(3), {
          offset: 3,
          headers: [['trace', 't'.repeat(EVENT_LIMITS.maxHeaderBytes)]],
        }),
      ],
      mode,
    );
    expect(response).toEqual(ok);
    expect(letters.map((l) => [l.record?.offset ?? l.claimCheck?.key, l.reason])).toEqual(
      expect.arrayContaining([
        [1, 'LIMIT_EXCEEDED'],
        [2, 'LIMIT_EXCEEDED'],
        [3, 'LIMIT_EXCEEDED'],
      ]),
    );
    expect(letters.map((l) => l.reason)).toEqual(Array(4).fill('LIMIT_EXCEEDED'));
  });

  it('rejects 60,000- and 80,000-character emails in linear time', async () => {
    const event = loginFailed(1) as { data: Record<string, unknown> };
    const attack = (length: number) => `a@${'.'.repeat(length - 3)}@`;
    const records = [60_000, 80_000].map((length, offset) =>
      structuredRecord({ ...event, data: { ...event.data, email: attack(length) } }, { offset }),
    );
    const started = performance.now();
    const { letters } = await route(records, mode);
    expect(performance.now() - started).toBeLessThan(1_000); // 18 s for 80,000 before
    expect(letters.map((l) => [l.reason, l.error.path])).toEqual([
      ['SCHEMA_VIOLATION', '/data/email'], // over its maxLength
      ['LIMIT_EXCEEDED', '/data/email'], // over the contract's string limit
    ]);
  });

  it('dead-letters as ROUTER_ERROR whatever a recursive step throws, the rest routed', async () => {
    class Trapped extends EventParser {
      override parse(text: string, headers: ReadonlyMap<string, string>) {
        if (text.includes('"throw-range"'))
          throw new RangeError('Maximum call stack size exceeded');
        if (text.includes('"throw-null-proto"')) throw Object.create(null);
        if (text.includes('"throw-symbol"')) throw Symbol('odd');
        return super.parse(text, headers);
      }
    }
    const deps = testRouterDeps({
      parser: new Trapped(),
      env: { SLUICE_REPORT_BATCH_ITEM_FAILURES: String(mode === 'reporting') },
    });
    const sink = memorySink(deps.sqs, deps.s3);
    const trap = (offset: number, marker: string) => {
      const event = loginFailed(offset) as { data: Record<string, unknown> };
      return structuredRecord({ ...event, data: { ...event.data, [marker]: 1 } }, { offset });
    };
    const records = [
      trap(0, 'throw-range'),
      trap(1, 'throw-null-proto'),
      trap(2, 'throw-symbol'),
      structuredRecord(loginFailed(3), { offset: 3 }),
    ];
    await expect(handleMskEvent(mskEvent(records), deps)).resolves.toEqual(ok);
    const letters = sink.bodies<DeadLetter>(INGEST_DLQ);
    expect(letters.map((l) => [l.record?.offset, l.reason, l.error.message])).toEqual([
      [0, 'ROUTER_ERROR', 'RangeError: Maximum call stack size exceeded'],
      [1, 'ROUTER_ERROR', 'object: {}'],
      [2, 'ROUTER_ERROR', 'symbol: Symbol(odd)'],
    ]);
    expect(sink.bodies<JobMessage>(AUDIT).map((j) => j.provenance.offset)).toEqual([3]);
  });
});

describe('hostile records on replay', () => {
  it('dead-letters the deep record again instead of failing the whole SQS batch', async () => {
    const deps = testRouterDeps();
    const sink = memorySink(deps.sqs, deps.s3);
    const letter = (offset: number, value: string): string =>
      JSON.stringify({
        kind: 'sluice.dead-letter',
        v: 1,
        stage: 'ingest',
        history: [],
        record: {
          topic: 'orders.events',
          partition: 0,
          offset,
          timestamp: 0,
          timestampType: 'CREATE_TIME',
          key: null,
          value: Buffer.from(value).toString('base64'),
          headers: [],
        },
      });
    const message = (body: string, n: number) => ({
      messageId: `m-${n}`,
      receiptHandle: `r-${n}`,
      body,
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0' },
      messageAttributes: {},
    });
    const event = {
      Records: [
        message(letter(0, nested(20_000)), 0),
        message(letter(1, JSON.stringify(loginFailed(1))), 1),
      ],
    } as unknown as SQSEvent;
    await expect(handleReplayEvent(event, deps)).resolves.toEqual({ batchItemFailures: [] });
    expect(sink.bodies<DeadLetter>(INGEST_DLQ).map((l) => l.reason)).toEqual(['LIMIT_EXCEEDED']);
    expect(sink.bodies<JobMessage>(AUDIT)).toHaveLength(1);
  });
});

describe('limitViolation', () => {
  const limits = { ...EVENT_LIMITS, maxDepth: 4, maxStringLength: 5, maxItems: 3 };

  it('names the first value over a limit by its JSON Pointer', () => {
    expect(limitViolation({ a: [{ b: { c: {} } }] }, limits)).toEqual({
      path: '/a/0/b/c',
      message: 'nested deeper than 4 levels',
    });
    expect(limitViolation({ 'x/y~': 'toolong' }, limits)?.path).toBe('/x~1y~0');
    expect(limitViolation({ a: [1, 2, 3, 4] }, limits)?.path).toBe('/a');
    expect(limitViolation('123456', limits, '/data')?.path).toBe('/data');
    expect(limitViolation({ a: [1, 2, 3], b: { c: 'fine' } }, limits)).toBeUndefined();
  });

  it('counts depth from the base: data sits at level 2', () => {
    expect(limitViolation({ a: { b: {} } }, limits, '/data', 2)).toBeUndefined();
    expect(limitViolation({ a: { b: { c: {} } } }, limits, '/data', 2)?.path).toBe('/data/a/b/c');
  });

  it('walks a value nested a million deep without a stack', () => {
    let value: unknown = 0;
    for (let i = 0; i < 1_000_000; i++) value = [value];
    expect(limitViolation(value)?.message).toBe('nested deeper than 32 levels');
  });
});
