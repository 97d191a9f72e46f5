/**
 * The S3 dead-letter ledger: one empty object per dead letter under `ingest-ledger/`, found
 * again by one listing per partition from the batch's first dead-lettered offset; transient
 * faults retried, a fault that outlasts the retries reported (unknown ids, unrecorded ids),
 * a configuration fault thrown.
 */
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  ingestDeadLetterId,
  type LedgerEntry,
  S3DeadLetterLedger,
} from '../../../functions/router/dead-letter-ledger';
import { PermanentError } from '../../../functions/shared/errors';
import { OFFLINE_AWS } from '../../support/offline-aws';

const s3 = new S3Client(OFFLINE_AWS);
const mock = mockClient(s3);
const options = {
  bucket: 'b',
  codeVersion: 'abc',
  maxAttempts: 3,
  backoff: { baseMs: 0, capMs: 0 },
  concurrency: 4,
  sleep: async () => undefined,
};
const ledger = new S3DeadLetterLedger(s3, options);
const entry = (offset: number, partition = 0, topic = 'orders.events'): LedgerEntry => ({
  id: ingestDeadLetterId({ topic, partition, offset }, 'abc'),
  topic,
  partition,
  offset,
});
const unavailable = () =>
  Object.assign(new Error('slow down'), {
    name: 'SlowDown',
    $fault: 'server',
    $metadata: { httpStatusCode: 503 },
  });

/** A bucket in memory answering ListObjectsV2 (pages of `pageSize`) and PutObject. */
function memoryBucket(pageSize = 1000) {
  const keys = new Set<string>();
  mock.on(PutObjectCommand).callsFake((input) => {
    keys.add(input.Key);
    return {};
  });
  mock.on(ListObjectsV2Command).callsFake((input) => {
    const all = [...keys]
      .filter((k) => k.startsWith(input.Prefix) && (!input.StartAfter || k > input.StartAfter))
      .sort();
    return {
      Contents: all.slice(0, pageSize).map((Key) => ({ Key })),
      IsTruncated: all.length > pageSize,
    };
  });
  return keys;
}

beforeEach(() => mock.reset());

describe('ingestDeadLetterId', () => {
  it('is the same for the same record and code, and differs otherwise', () => {
    const record = { topic: 'orders.events', partition: 3, offset: 42 };
    const id = ingestDeadLetterId(record, 'abc');
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(ingestDeadLetterId({ ...record }, 'abc')).toBe(id);
    expect(ingestDeadLetterId({ ...record, offset: 43 }, 'abc')).not.toBe(id);
    expect(ingestDeadLetterId({ ...record, partition: 4 }, 'abc')).not.toBe(id);
    expect(ingestDeadLetterId(record, 'def')).not.toBe(id);
  });
});

describe('S3DeadLetterLedger', () => {
  it('finds what it recorded, per partition, and nothing of another code version', async () => {
    const keys = memoryBucket(3);
    const recorded = [entry(5), entry(9), entry(10), entry(12), entry(7, 1), entry(0, 2)];
    expect(await ledger.record(recorded)).toEqual([]);
    expect([...keys][0]).toMatch(/^ingest-ledger\/[0-9a-f]{16}\/orders\.events\/0\/0{19}5$/);

    const asked = [entry(4), entry(5), entry(10), entry(11), entry(12), entry(7, 1), entry(0, 2)];
    const { sent, unknown } = await ledger.lookup(asked);
    expect([...sent].sort()).toEqual(
      [entry(5), entry(10), entry(12), entry(7, 1), entry(0, 2)].map((e) => e.id).sort(),
    );
    expect(unknown.size).toBe(0);
    // One listing per partition, paged: partition 0 from offset 4 on (5, 9, 10 | 12).
    const listings = mock.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input);
    expect(listings.filter((l) => l.Prefix?.endsWith('/0/'))).toHaveLength(2);
    expect(listings.find((l) => l.Prefix?.endsWith('/0/'))?.StartAfter).toMatch(/0{19}3$/);

    const other = new S3DeadLetterLedger(s3, { ...options, codeVersion: 'def' });
    expect((await other.lookup([entry(5)])).sent.size).toBe(0);
  });

  it('retries a failing listing, then reports its ids as unknown', async () => {
    mock.on(ListObjectsV2Command).rejects(unavailable());
    const { sent, unknown } = await ledger.lookup([entry(1), entry(2)]);
    expect(sent.size).toBe(0);
    expect([...unknown].sort()).toEqual([entry(1).id, entry(2).id].sort());
    expect(mock.commandCalls(ListObjectsV2Command)).toHaveLength(3);
  });

  it('throws a configuration fault', async () => {
    mock.on(ListObjectsV2Command).rejects(
      Object.assign(new Error('denied'), {
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    await expect(ledger.lookup([entry(1)])).rejects.toBeInstanceOf(PermanentError);
  });

  it('retries a failing write and returns the ids it could not record, never throwing', async () => {
    let puts = 0;
    mock.on(PutObjectCommand).callsFake(() => {
      puts++;
      if (puts === 1) throw unavailable();
      return {};
    });
    expect(await ledger.record([entry(1)])).toEqual([]);
    mock.on(PutObjectCommand).rejects(unavailable());
    expect(await ledger.record([entry(2), entry(3)])).toEqual([entry(2).id, entry(3).id]);
  });
});
