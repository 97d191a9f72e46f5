/**
 * The emulated SQS event source mapping against ElasticMQ: the SQSEvent shape, batches above
 * 10 gathered within the window, partial batch responses (failed items stay, the rest are
 * deleted — checked with real receives after the visibility timeout), a throwing handler
 * leaving the whole batch, maxConcurrency measured, and a draining stop.
 */
import { createHash } from 'node:crypto';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { startEventSources } from '../../../../local/event-sources/event-sources';
import type { SqsMapping } from '../../../../local/event-sources/mappings';
import type { InvocationReport } from '../../../../local/event-sources/stats';
import { eventually } from '../../../support/eventually';
import { sqsFixture } from './sqs-fixture';

const queues = sqsFixture();
afterAll(() => queues.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function mapping(
  queueUrl: string,
  handler: SqsMapping['handler'],
  overrides: Partial<SqsMapping> = {},
): SqsMapping {
  return {
    name: `test:${queueUrl.split('/').pop()}`,
    queueUrl,
    handler,
    pollWaitSeconds: 1,
    ...overrides,
  };
}

/** Starts the event sources with one mapping of `queueUrl`, reporting each invocation. */
function startMapping(
  queueUrl: string,
  handler: SqsMapping['handler'],
  overrides: Partial<SqsMapping> = {},
  onInvoke?: (report: InvocationReport) => void,
) {
  return startEventSources({
    sqsClient: queues.sqs,
    ...(onInvoke ? { onInvoke } : {}),
    sqs: [mapping(queueUrl, handler, overrides)],
  });
}

/**
 * Runs one mapping of `queueUrl` (batches of up to 10 within half a second, partial batch
 * responses, one poller) until `count` records have been delivered, then stops it.
 */
async function deliverOnce(
  queueUrl: string,
  handler: SqsMapping['handler'],
  count: number,
): Promise<void> {
  const reports: InvocationReport[] = [];
  const eventSources = await startMapping(
    queueUrl,
    handler,
    { batchSize: 10, maxBatchingWindowSeconds: 0.5, reportBatchItemFailures: true, pollers: 1 },
    (report) => reports.push(report),
  );
  try {
    await eventually(`all ${count} delivered`, () =>
      reports.reduce((sum, r) => sum + r.records, 0) >= count ? true : undefined,
    );
  } finally {
    await eventSources.stop();
  }
}

describe('SQS event source mapping', () => {
  it('gathers more than 10 messages within the window into one SQSEvent of the Lambda shape', async () => {
    const queueUrl = await queues.queue('window');
    const { Attributes } = await queues.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
    );
    const events: SQSEvent[] = [];
    const eventSources = await startMapping(
      queueUrl,
      async (event) => {
        events.push(event);
      },
      { batchSize: 50, maxBatchingWindowSeconds: 1.5, maxConcurrency: 2, pollers: 1 },
    );
    let ids: string[];
    try {
      const attributes = {
        kind: { DataType: 'String', StringValue: 'test' },
        blob: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 254, 255]) },
        count: { DataType: 'Number', StringValue: '42' },
      };
      ids = await queues.send(
        queueUrl,
        Array.from({ length: 12 }, (_, n) => ({
          MessageBody: `first-${n}`,
          MessageAttributes: attributes,
        })),
      );
      // Well inside the window that the first message opened.
      await sleep(400);
      ids.push(
        ...(await queues.send(
          queueUrl,
          Array.from({ length: 8 }, (_, n) => ({ MessageBody: `second-${n}` })),
        )),
      );
      await eventually('the queue to be empty', async () => {
        const { visible, inFlight } = await queues.counts(queueUrl);
        return visible + inFlight === 0 && events.length > 0 ? true : undefined;
      });
    } finally {
      await eventSources.stop();
    }

    expect(events).toHaveLength(1);
    const records = events[0]?.Records ?? [];
    expect(records.map((r) => r.messageId).sort()).toEqual([...ids].sort());
    const first = records.find((r) => r.body === 'first-0');
    expect(first).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: Attributes?.QueueArn,
      awsRegion: 'us-east-1',
      md5OfBody: createHash('md5').update('first-0').digest('hex'),
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: {
        kind: {
          stringValue: 'test',
          stringListValues: [],
          binaryListValues: [],
          dataType: 'String',
        },
        blob: { binaryValue: Buffer.from([0, 1, 254, 255]).toString('base64'), dataType: 'Binary' },
        count: { stringValue: '42', dataType: 'Number' },
      },
    });
    expect(Number(first?.attributes.SentTimestamp)).toBeGreaterThan(Date.now() - 60_000);
    expect(Number(first?.attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(
      Number(first?.attributes.SentTimestamp),
    );
    expect(typeof first?.receiptHandle).toBe('string');
  });

  it('deletes the successes and leaves reported failures on the queue', async () => {
    const queueUrl = await queues.queue('partial', 3);
    const ids = await queues.send(queueUrl, [
      ...[0, 1, 2, 3].map((n) => ({ MessageBody: `ok-${n}` })),
      ...[0, 1].map((n) => ({ MessageBody: `fail-${n}` })),
    ]);
    await deliverOnce(
      queueUrl,
      async (event): Promise<SQSBatchResponse> => ({
        batchItemFailures: event.Records.filter((r) => r.body.startsWith('fail')).map((r) => ({
          itemIdentifier: r.messageId,
        })),
      }),
      6,
    );

    // The failed two are invisible (still on the queue), the four successes are gone.
    expect(await queues.counts(queueUrl)).toEqual({ visible: 0, inFlight: 2 });
    const again = await eventually('the failed messages to reappear', async () => {
      const messages = await queues.receive(queueUrl);
      return messages.length > 0 ? messages : undefined;
    });
    expect(again.map((m) => m.Body).sort()).toEqual(['fail-0', 'fail-1']);
    expect(again.map((m) => m.MessageId).sort()).toEqual(ids.slice(4).sort());
    expect(again.every((m) => m.Attributes?.ApproximateReceiveCount === '2')).toBe(true);
  });

  it('leaves the whole batch when the handler throws', async () => {
    const queueUrl = await queues.queue('throws', 2);
    await queues.send(
      queueUrl,
      [0, 1, 2].map((n) => ({ MessageBody: `m-${n}` })),
    );
    await deliverOnce(
      queueUrl,
      async () => {
        throw new Error('boom');
      },
      3,
    );
    expect(await queues.counts(queueUrl)).toEqual({ visible: 0, inFlight: 3 });
    const again = await eventually('the batch to reappear', async () => {
      const messages = await queues.receive(queueUrl);
      return messages.length === 3 ? messages : undefined;
    });
    expect(again.map((m) => m.Body).sort()).toEqual(['m-0', 'm-1', 'm-2']);
  });

  it('never runs more than maxConcurrency invocations at once, and reaches it', async () => {
    const queueUrl = await queues.queue('concurrency');
    await queues.send(
      queueUrl,
      Array.from({ length: 16 }, (_, n) => ({ MessageBody: `c-${n}` })),
    );
    let running = 0;
    let highest = 0;
    let handled = 0;
    const eventSources = await startMapping(
      queueUrl,
      async (event) => {
        running += 1;
        highest = Math.max(highest, running);
        await sleep(300);
        running -= 1;
        handled += event.Records.length;
      },
      { batchSize: 1, maxConcurrency: 4, pollers: 2 },
    );
    try {
      await eventually('all 16 handled', () => (handled >= 16 ? true : undefined));
    } finally {
      await eventSources.stop();
    }
    expect(highest).toBe(4);
    expect(await queues.counts(queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('stop() waits for invocations in flight, deletes their successes and stops polling', async () => {
    const queueUrl = await queues.queue('drain');
    await queues.send(
      queueUrl,
      [0, 1, 2].map((n) => ({ MessageBody: `d-${n}` })),
    );
    let started: () => void = () => undefined;
    const inFlight = new Promise<void>((resolve) => {
      started = resolve;
    });
    let finished = false;
    // stop() lets long polls in flight run out (never abandons them), so 2 s bounds it.
    const eventSources = await startMapping(
      queueUrl,
      async () => {
        started();
        await sleep(800);
        finished = true;
      },
      { pollWaitSeconds: 2, maxBatchingWindowSeconds: 0.3, batchSize: 10, pollers: 2 },
    );
    await inFlight;
    const stopping = Date.now();
    await eventSources.stop();
    expect(finished).toBe(true);
    expect(Date.now() - stopping).toBeLessThan(4_000);
    expect(await queues.counts(queueUrl)).toEqual({ visible: 0, inFlight: 0 });

    await queues.send(queueUrl, [{ MessageBody: 'after-stop' }]);
    await sleep(1_500);
    expect(await queues.counts(queueUrl)).toEqual({ visible: 1, inFlight: 0 });
  });
});
