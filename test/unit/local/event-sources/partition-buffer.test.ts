import { describe, expect, it } from 'vitest';
import type { ConsumedKafkaMessage } from '../../../../local/event-sources/msk-event';
import { PartitionBuffer } from '../../../../local/event-sources/partition-buffer';

const limits = { batchSize: 4, windowMs: 500, maxPayloadBytes: 6 * 1024 * 1024 };

function record(partition: number, offset: number, valueBytes = 10): ConsumedKafkaMessage {
  return {
    topic: 't',
    partition,
    offset: BigInt(offset),
    timestamp: 0n,
    key: null,
    value: Buffer.alloc(valueBytes),
    headers: new Map(),
  };
}
const ids = (records: readonly ConsumedKafkaMessage[]) =>
  records.map((r) => `${r.partition}:${r.offset}`);

describe('PartitionBuffer', () => {
  it('waits for the window of the oldest record, then cuts', () => {
    const buffer = new PartitionBuffer();
    expect(buffer.plan(0, limits)).toEqual({ cut: false });
    buffer.add(record(0, 0), 1000);
    buffer.add(record(0, 1), 1200);
    expect(buffer.plan(1300, limits)).toEqual({ cut: false, wakeAt: 1500 });
    expect(buffer.plan(1500, limits)).toEqual({ cut: true });
  });

  it('cuts at once when a full batch is ready', () => {
    const buffer = new PartitionBuffer();
    for (let offset = 0; offset < 4; offset += 1) buffer.add(record(0, offset), 0);
    expect(buffer.plan(1, limits)).toEqual({ cut: true });
  });

  it('cuts at once when the payload limit is reached', () => {
    const buffer = new PartitionBuffer();
    buffer.add(record(0, 0, 3000), 0);
    expect(buffer.plan(1, { ...limits, maxPayloadBytes: 2000 })).toEqual({ cut: true });
    // At least one record even when it alone is over the limit; the next waits.
    buffer.add(record(0, 1, 3000), 0);
    expect(ids(buffer.take(1, { ...limits, maxPayloadBytes: 2000 }))).toEqual(['0:0']);
    expect(buffer.size).toBe(1);
  });

  it('takes partitions in turn, each in offset order, up to the batch size', () => {
    const buffer = new PartitionBuffer();
    for (let offset = 0; offset < 5; offset += 1) buffer.add(record(0, offset), 0);
    buffer.add(record(1, 7), 0);
    buffer.add(record(2, 3), 0);
    expect(ids(buffer.take(0, limits))).toEqual(['0:0', '1:7', '2:3', '0:1']);
    expect(ids(buffer.take(0, limits))).toEqual(['0:2', '0:3', '0:4']);
    expect(buffer.size).toBe(0);
  });

  it('drops records it already holds or delivered (a refetch after a rejoin)', () => {
    const buffer = new PartitionBuffer();
    expect(buffer.add(record(0, 0), 0)).toBe(true);
    expect(buffer.add(record(0, 1), 0)).toBe(true);
    buffer.take(0, limits);
    expect(buffer.add(record(0, 1), 0)).toBe(false);
    expect(buffer.add(record(1, 1), 0)).toBe(true);
    expect(buffer.size).toBe(1);
  });

  it('puts a failed delivery back first; its partition waits, the others go on', () => {
    const buffer = new PartitionBuffer();
    for (let offset = 0; offset < 3; offset += 1) buffer.add(record(0, offset), 0);
    buffer.add(record(1, 0), 0);
    const first = buffer.take(0, { ...limits, batchSize: 2 }); // 0:0, 1:0
    buffer.add(record(0, 3), 10);
    buffer.putBack(
      first.filter((r) => r.partition === 0),
      1000,
    );

    // Partition 0 waits for its retry time; partition 1 has nothing; the rest of 0 waits too.
    expect(buffer.plan(600, limits)).toEqual({ cut: false, wakeAt: 1000 });
    // At the retry time it goes at once, without a new window, from the failed record on.
    expect(buffer.plan(1000, limits)).toEqual({ cut: true });
    expect(ids(buffer.take(1000, limits))).toEqual(['0:0', '0:1', '0:2', '0:3']);
  });

  it('delivers ready partitions while another one waits for its retry', () => {
    const buffer = new PartitionBuffer();
    buffer.add(record(0, 0), 0);
    buffer.putBack(buffer.take(0, limits), 5000);
    buffer.add(record(1, 0), 100);
    expect(buffer.plan(700, limits)).toEqual({ cut: true });
    expect(ids(buffer.take(700, limits))).toEqual(['1:0']);
    expect(buffer.plan(700, limits)).toEqual({ cut: false, wakeAt: 5000 });
  });
});
