/**
 * The emulated MSK event source mapping against the real Kafka 4 broker: batches in the MSK
 * event shape, group offsets committed only after success (read from the broker), a failing
 * batch redelivered while its partition waits, ReportBatchItemFailures committing up to the
 * first failed offset per partition, and a draining stop.
 */
import type { MSKEvent } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeKafkaRecord, recordsOf } from '../../../../functions/router/kafka-record';
import type { KafkaBatchResponse } from '../../../../functions/router/msk-batch';
import { startEventSources } from '../../../../local/event-sources/event-sources';
import type { KafkaMapping } from '../../../../local/event-sources/mappings';
import type { InvocationReport } from '../../../../local/event-sources/stats';
import { eventually } from '../../../support/eventually';
import { bootstrapBrokers, kafkaFixture } from './kafka-fixture';

const kafka = kafkaFixture();
afterAll(() => kafka.close());

/** Delivered (partition, offset) pairs of an event, in event order. */
function offsetsOf(event: MSKEvent): Array<[number, number]> {
  return recordsOf(event).map((r) => [r.partition, r.offset]);
}

function mapping(
  topic: string,
  consumerGroupId: string,
  handler: KafkaMapping['handler'],
  overrides: Partial<KafkaMapping> = {},
): KafkaMapping {
  return {
    name: `test:${topic}`,
    topic,
    consumerGroupId,
    bootstrapBrokers,
    handler,
    maxBatchingWindowSeconds: 0.3,
    retryDelayMs: 100,
    ...overrides,
  };
}

describe('Kafka event source mapping', () => {
  it('delivers MSK-shaped batches from several partitions and commits the group offsets', async () => {
    const topic = await kafka.topic('shape', 3);
    const group = kafka.group('shape');
    const produced = Array.from({ length: 30 }, (_, n) => ({
      partition: n % 3,
      key: `key-${n}`,
      value: JSON.stringify({ n }),
      headers: { ce_id: `id-${n}`, 'content-type': 'application/json' },
    }));
    await kafka.produce(topic, produced);

    const events: MSKEvent[] = [];
    const eventSources = await startEventSources({
      kafka: [
        mapping(
          topic,
          group,
          async (event) => {
            events.push(event);
          },
          { batchSize: 8 },
        ),
      ],
    });
    try {
      const ends = await kafka.ends(topic, 3);
      await eventually('the committed offsets to reach the ends', async () => {
        const committed = await kafka.committed(group, topic);
        return [0, 1, 2].every((p) => committed.get(p) === ends.get(p)) ? true : undefined;
      });
    } finally {
      await eventSources.stop();
    }

    const delivered = events.flatMap((e) => recordsOf(e));
    // Each record exactly once.
    expect(delivered).toHaveLength(produced.length);
    const values = delivered.map((r) => (JSON.parse(decodeKafkaRecord(r).text) as { n: number }).n);
    expect(values.sort((a, b) => a - b)).toEqual(produced.map((_, n) => n));
    expect(events.every((e) => recordsOf(e).length <= 8)).toBe(true);
    expect(events.some((e) => Object.keys(e.records).length > 1)).toBe(true);
    for (const event of events) {
      expect(event.eventSource).toBe('aws:kafka');
      expect(event.bootstrapServers).toBe(bootstrapBrokers.join(','));
      expect(event.eventSourceArn).toMatch(/^arn:aws:kafka:/);
      for (const [key, records] of Object.entries(event.records)) {
        expect(records.every((r) => `${r.topic}-${r.partition}` === key)).toBe(true);
        const offsets = records.map((r) => r.offset);
        expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
      }
    }
    for (const record of delivered) {
      const decoded = decodeKafkaRecord(record);
      const { n } = JSON.parse(decoded.text) as { n: number };
      expect(record.partition).toBe(n % 3);
      expect(decoded.key).toBe(`key-${n}`);
      expect(decoded.headers.get('ce_id')).toBe(`id-${n}`);
      expect(record.timestampType).toBe('CREATE_TIME');
      expect(Math.abs(record.timestamp - Date.now())).toBeLessThan(60_000);
    }
  });

  it('redelivers a failing batch while its partition waits, committing nothing until success', async () => {
    const topic = await kafka.topic('retry', 1);
    const group = kafka.group('retry');
    await kafka.produce(
      topic,
      Array.from({ length: 5 }, (_, n) => ({ partition: 0, value: `first-${n}` })),
    );

    const deliveries: Array<Array<[number, number]>> = [];
    const committedDuringFailures: Array<bigint | undefined> = [];
    const failures = 3;
    const eventSources = await startEventSources({
      kafka: [
        mapping(topic, group, async (event) => {
          deliveries.push(offsetsOf(event));
          if (deliveries.length === 2) {
            // More records arrive while the partition is blocked: they must wait behind.
            await kafka.produce(topic, [{ partition: 0, value: 'later' }]);
          }
          if (deliveries.length <= failures) {
            committedDuringFailures.push((await kafka.committed(group, topic)).get(0));
            throw new Error('target down');
          }
        }),
      ],
    });
    try {
      await eventually('all six records committed', async () =>
        (await kafka.committed(group, topic)).get(0) === 6n ? true : undefined,
      );
    } finally {
      await eventSources.stop();
    }

    const firstFive: Array<[number, number]> = [0, 1, 2, 3, 4].map((o) => [0, o]);
    // Every failed delivery started again at offset 0 with the same records.
    for (const delivery of deliveries.slice(0, failures + 1)) {
      expect(delivery.slice(0, 5)).toEqual(firstFive);
    }
    // Nothing was committed while the batch kept failing (no offset, or -1).
    expect(committedDuringFailures).toHaveLength(failures);
    expect(committedDuringFailures.every((o) => o === undefined || o < 0n)).toBe(true);
    // The record produced during the failures came only after the ones before it, once.
    const all = deliveries.slice(failures).flat();
    expect(all.map(([, o]) => o)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('with ReportBatchItemFailures commits up to the first failed offset per partition', async () => {
    const topic = await kafka.topic('partial', 2);
    const group = kafka.group('partial');
    await kafka.produce(topic, [
      ...Array.from({ length: 6 }, (_, n) => ({ partition: 0, value: `p0-${n}` })),
      ...Array.from({ length: 4 }, (_, n) => ({ partition: 1, value: `p1-${n}` })),
    ]);

    const deliveries: Array<Array<[number, number]>> = [];
    let committedAfterPartial: Map<number, bigint> | undefined;
    let reported = false;
    const reports: InvocationReport[] = [];
    const eventSources = await startEventSources({
      onInvoke: (report) => reports.push(report),
      kafka: [
        mapping(
          topic,
          group,
          async (event): Promise<KafkaBatchResponse> => {
            const offsets = offsetsOf(event);
            deliveries.push(offsets);
            if (reported && !committedAfterPartial) {
              committedAfterPartial = await kafka.committed(group, topic);
            }
            // Offset 3 of partition 0 fails once; everything else succeeds.
            if (!reported && offsets.some(([p, o]) => p === 0 && o === 3)) {
              reported = true;
              return {
                batchItemFailures: [{ itemIdentifier: { partition: `${topic}-0`, offset: 3 } }],
              };
            }
            return { batchItemFailures: [] };
          },
          { reportBatchItemFailures: true },
        ),
      ],
    });
    try {
      await eventually('both partitions committed to their ends', async () => {
        const committed = await kafka.committed(group, topic);
        return committed.get(0) === 6n && committed.get(1) === 4n ? true : undefined;
      });
    } finally {
      await eventSources.stop();
    }

    // Right after the partial failure: partition 0 committed up to (not including) offset 3.
    expect(committedAfterPartial?.get(0)).toBe(3n);
    const failedAt = deliveries.findIndex((d) => d.some(([p, o]) => p === 0 && o === 3));
    const after = deliveries.slice(failedAt + 1).flat();
    // Partition 0 resumed exactly at the failed offset; nothing before it came again.
    expect(after.filter(([p]) => p === 0).map(([, o]) => o)).toEqual([3, 4, 5]);
    const p1 = deliveries
      .flat()
      .filter(([p]) => p === 1)
      .map(([, o]) => o);
    expect(p1).toEqual([0, 1, 2, 3]);
    expect(reports.some((r) => r.outcome === 'partial')).toBe(true);
  });

  it('stop() lets the batch in flight finish and commit; a restart resumes after it', async () => {
    const topic = await kafka.topic('drain', 1);
    const group = kafka.group('drain');
    await kafka.produce(
      topic,
      [0, 1, 2].map((n) => ({ partition: 0, value: `r-${n}` })),
    );

    let started: () => void = () => undefined;
    const inFlight = new Promise<void>((resolve) => {
      started = resolve;
    });
    let finished = false;
    const eventSources = await startEventSources({
      kafka: [
        mapping(topic, group, async () => {
          started();
          await new Promise((resolve) => setTimeout(resolve, 700));
          finished = true;
        }),
      ],
    });
    await inFlight;
    await eventSources.stop();
    expect(finished).toBe(true);
    expect((await kafka.committed(group, topic)).get(0)).toBe(3n);

    await kafka.produce(topic, [{ partition: 0, value: 'after-restart' }]);
    const resumed: Array<[number, number]> = [];
    const again = await startEventSources({
      kafka: [
        mapping(topic, group, async (event) => {
          resumed.push(...offsetsOf(event));
        }),
      ],
    });
    try {
      await eventually('the new record committed', async () =>
        (await kafka.committed(group, topic)).get(0) === 4n ? true : undefined,
      );
    } finally {
      await again.stop();
    }
    expect(resumed).toEqual([[0, 3]]);
  });
});
