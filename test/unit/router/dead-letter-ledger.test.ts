/**
 * The S3 dead-letter ledger: one page (an object listing offsets) per batch and partition
 * under `ingest-ledger/`, found again by one listing per partition from the batch's first
 * dead-lettered offset and read back when it holds a wanted offset; keys of the previous
 * format (an empty object per offset) still understood; transient faults retried, a fault
 * that outlasts the retries reported (unknown ids, unrecorded ids), a configuration fault
 * thrown.
 */
import { createHash } from 'node:crypto';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  ingestDeadLetterId,
  LEDGER_WINDOW,
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
const TOPIC = 'orders.events';
const entry = (offset: number, partition = 0, topic = TOPIC): LedgerEntry => ({
  id: ingestDeadLetterId({ topic, partition, offset }, 'abc'),
  topic,
  partition,
  offset,
});
const entries = (offsets: readonly number[], partition = 0) =>
  offsets.map((offset) => entry(offset, partition));
const ids = (list: readonly LedgerEntry[]) => list.map((e) => e.id).sort();
const sorted = (set: ReadonlySet<string>) => [...set].sort();
/** The key prefix of a partition's pages under code version 'abc' (the format, spelled out). */
const prefix = (partition = 0) =>
  `ingest-ledger/${createHash('sha256').update('abc').digest('hex').slice(0, 16)}/${TOPIC}/${partition}/`;
const pad = (offset: number) => String(offset).padStart(20, '0');
const fault = (name: string, status: number) =>
  Object.assign(new Error(name), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
const unavailable = () => fault('SlowDown', 503);
const denied = () => fault('AccessDenied', 403);

type Operation = 'put' | 'get' | 'list';

/**
 * A bucket in memory answering PutObject (keeping bodies), GetObject and ListObjectsV2 (in
 * key order, `pageSize` keys per answer); `listed` holds the keys of each answer. `fails`
 * says which calls (the n-th of an operation, from 1) throw a transient fault instead.
 */
function memoryBucket(
  pageSize = 1000,
  fails: (operation: Operation, n: number) => boolean = () => false,
) {
  const objects = new Map<string, string>();
  const listed: string[][] = [];
  const counts: Record<Operation, number> = { put: 0, get: 0, list: 0 };
  const faulty = (operation: Operation) => {
    if (fails(operation, ++counts[operation])) throw unavailable();
  };
  mock.on(PutObjectCommand).callsFake((input) => {
    faulty('put');
    objects.set(input.Key, String(input.Body ?? ''));
    return {};
  });
  mock.on(GetObjectCommand).callsFake((input) => {
    faulty('get');
    const text = objects.get(input.Key);
    if (text === undefined) throw fault('NoSuchKey', 404);
    return { Body: { transformToString: async () => text } } as never;
  });
  mock.on(ListObjectsV2Command).callsFake((input) => {
    faulty('list');
    const all = [...objects.keys()]
      .filter((k) => k.startsWith(input.Prefix) && (!input.StartAfter || k > input.StartAfter))
      .sort();
    listed.push(all.slice(0, pageSize));
    return {
      Contents: all.slice(0, pageSize).map((Key) => ({ Key })),
      IsTruncated: all.length > pageSize,
    };
  });
  return { objects, listed };
}

const calls = (command: typeof GetObjectCommand | typeof ListObjectsV2Command) =>
  mock.commandCalls(command as never).map((c) => c.args[0].input as Record<string, string>);

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
  it('writes one page per partition for a batch of many dead letters', async () => {
    const { objects } = memoryBucket();
    const p0 = entries(Array.from({ length: 40 }, (_, i) => 1_000 + 3 * i));
    const p1 = entries([7, 5, 9], 1);
    const other = [entry(4, 0, 'identity.events')];
    expect(await ledger.record([...p1, ...p0, ...other])).toEqual([]);
    const puts = mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts).toHaveLength(3);
    const page0 = puts.find((p) => p.Key?.startsWith(prefix(0)));
    const body = JSON.stringify(Array.from({ length: 40 }, (_, i) => 1_000 + 3 * i));
    expect(page0?.Key).toBe(`${prefix(0)}${pad(1_117)}-${pad(1_000)}-${hashOf(body)}`);
    expect(page0?.Body).toBe(body);
    expect(page0?.ContentType).toBe('application/json');
    expect(objects.get(`${prefix(1)}${pad(9)}-${pad(5)}-${hashOf('[5,7,9]')}`)).toBe('[5,7,9]');
  });

  it('finds exactly what it recorded: not the offsets between a page’s, nor another code version’s', async () => {
    memoryBucket();
    const recorded = [...entries([5, 9, 10, 12]), entry(7, 1), entry(0, 2)];
    expect(await ledger.record(recorded)).toEqual([]);
    const asked = [...entries([4, 5, 6, 10, 11, 12, 13]), entry(7, 1), entry(8, 1), entry(0, 2)];
    const { sent, unknown } = await ledger.lookup(asked);
    expect(sorted(sent)).toEqual(ids([...entries([5, 10, 12]), entry(7, 1), entry(0, 2)]));
    expect(unknown.size).toBe(0);
    // Per partition, one listing and one page read back.
    expect(calls(ListObjectsV2Command)).toHaveLength(3);
    expect(calls(GetObjectCommand)).toHaveLength(3);

    const other = new S3DeadLetterLedger(s3, { ...options, codeVersion: 'def' });
    expect((await other.lookup(entries([5]))).sent.size).toBe(0);
  });

  it('finds dead letters across the pages of one partition, also pages that overlap or nest', async () => {
    const { objects } = memoryBucket();
    // Three deliveries: a first batch, a later one, and a redelivery of the first (reaching
    // further) sending 11, which failed to send the first time.
    await ledger.record(entries([10, 12, 20]));
    await ledger.record(entries([30, 35, 41]));
    await ledger.record(entries([11, 33]));
    expect(objects.size).toBe(3);
    const asked = entries([11, 12, 13, 20, 30, 33, 36, 41]);
    const { sent, unknown } = await ledger.lookup(asked);
    expect(sorted(sent)).toEqual(ids(entries([11, 12, 20, 30, 33, 41])));
    expect(unknown.size).toBe(0);

    // Once a page says 12 was sent, the other page whose range holds 12 is not read.
    mock.resetHistory();
    expect(sorted((await ledger.lookup(entries([12]))).sent)).toEqual(ids(entries([12])));
    expect(calls(GetObjectCommand)).toHaveLength(1);

    // A page wholly above the offsets wanted sorts before one holding them: still found.
    // (115 was sent first; 105 failed to send, then went out with 125 on a redelivery.)
    await ledger.record(entries([115]));
    await ledger.record(entries([105, 125]));
    mock.resetHistory();
    expect(sorted((await ledger.lookup(entries([105]))).sent)).toEqual(ids(entries([105])));
    // {115}, listed on the way, holds no offset wanted: not read.
    expect(calls(GetObjectCommand).map((c) => c.Key)).toEqual([
      `${prefix()}${pad(125)}-${pad(105)}-${hashOf('[105,125]')}`,
    ]);
  });

  it('understands keys of the previous format, an empty object per offset, without reading them', async () => {
    const { objects } = memoryBucket();
    for (const offset of [3, 8]) objects.set(prefix() + pad(offset), '');
    await ledger.record(entries([9, 11]));
    const { sent, unknown } = await ledger.lookup(entries([3, 4, 8, 9, 10, 11]));
    expect(sorted(sent)).toEqual(ids(entries([3, 8, 9, 11])));
    expect(unknown.size).toBe(0);
    expect(calls(GetObjectCommand).map((c) => c.Key)).toEqual([
      `${prefix()}${pad(11)}-${pad(9)}-${hashOf('[9,11]')}`,
    ]);
  });

  it('lists from the first offset wanted: from the start for offset 0, and a page ending there is included', async () => {
    const { listed } = memoryBucket();
    await ledger.record(entries([0, 3]));
    expect(sorted((await ledger.lookup(entries([0]))).sent)).toEqual(ids(entries([0])));
    expect(calls(ListObjectsV2Command)[0]?.StartAfter).toBeUndefined();

    mock.resetHistory();
    listed.length = 0;
    await ledger.record(entries([4, 6]));
    await ledger.record(entries([7, 9]));
    // First offset wanted 9: the page ending at 9 is listed and read, the one ending at 6
    // (below it) is not even listed.
    expect(sorted((await ledger.lookup(entries([9, 10]))).sent)).toEqual(ids(entries([9])));
    expect(calls(ListObjectsV2Command)[0]?.StartAfter).toBe(`${prefix()}${pad(8)}.`);
    expect(listed.flat()).toEqual([`${prefix()}${pad(9)}-${pad(7)}-${hashOf('[7,9]')}`]);
    // First offset wanted 7: the page ending at 6, just before it, is not listed either.
    listed.length = 0;
    expect(sorted((await ledger.lookup(entries([7, 8]))).sent)).toEqual(ids(entries([7])));
    expect(calls(ListObjectsV2Command).at(-1)?.StartAfter).toBe(`${prefix()}${pad(6)}.`);
    expect(listed.flat()).toEqual([`${prefix()}${pad(9)}-${pad(7)}-${hashOf('[7,9]')}`]);
    // First offset wanted 6: the page ending there is listed, the one ending at 3 is not.
    listed.length = 0;
    expect(sorted((await ledger.lookup(entries([6]))).sent)).toEqual(ids(entries([6])));
    expect(listed.flat().map((k) => k.slice(prefix().length, prefix().length + 20))).toEqual([
      pad(6),
      pad(9),
    ]);
  });

  it('follows a truncated listing, and stops past the window of the last offset wanted', async () => {
    const { listed } = memoryBucket(2);
    for (let batch = 0; batch < 6; batch++)
      await ledger.record(entries([10 * batch, 10 * batch + 5]));
    // Pages of the next window, which cannot hold an offset of this one.
    for (let batch = 0; batch < 6; batch++) await ledger.record(entries([LEDGER_WINDOW + batch]));
    const asked = entries([5, 15, 16, 35, 50, 55]);
    const { sent, unknown } = await ledger.lookup(asked);
    expect(sorted(sent)).toEqual(ids(entries([5, 15, 35, 50, 55])));
    expect(unknown.size).toBe(0);
    // 6 pages of this window, 2 keys per answer, then the first answer reaching the next
    // window ends it: 4 listings, each going on after the last key of the one before.
    const listings = calls(ListObjectsV2Command);
    expect(listings).toHaveLength(4);
    for (let i = 1; i < listings.length; i++)
      expect(listings[i]?.StartAfter).toBe(listed[i - 1]?.at(-1));
  });

  it('writes two pages for a batch straddling a window, and finds both', async () => {
    const { objects } = memoryBucket();
    const batch = entries([LEDGER_WINDOW - 2, LEDGER_WINDOW - 1, LEDGER_WINDOW, LEDGER_WINDOW + 4]);
    expect(await ledger.record(batch)).toEqual([]);
    expect(objects.size).toBe(2);
    const { sent } = await ledger.lookup(
      entries([LEDGER_WINDOW - 1, LEDGER_WINDOW + 1, LEDGER_WINDOW + 4]),
    );
    expect(sorted(sent)).toEqual(ids(entries([LEDGER_WINDOW - 1, LEDGER_WINDOW + 4])));
  });

  it('reports the offsets in the range of a page it cannot read as unknown, never as sent or not sent', async () => {
    const { objects } = memoryBucket();
    await ledger.record(entries([10, 14]));
    await ledger.record(entries([20, 24]));
    await ledger.record(entries([30, 34]));
    await ledger.record(entries([12, 40]));
    const keyOf = (max: number) =>
      [...objects.keys()].find((k) => k.startsWith(prefix() + pad(max))) as string;
    objects.set(keyOf(14), '[10,1'); // cut short
    objects.set(keyOf(24), '[20,22,24]'); // not the body its key names (another hash)
    // Gone between the listing and the read (expired).
    mock.on(GetObjectCommand, { Key: keyOf(34) }).rejects(fault('NoSuchKey', 404));
    const { sent, unknown } = await ledger.lookup(entries([9, 10, 11, 12, 22, 24, 25, 30, 31, 40]));
    // 12 is also on a page that reads well.
    expect(sorted(sent)).toEqual(ids(entries([12, 40])));
    expect(sorted(unknown)).toEqual(ids(entries([10, 11, 22, 24, 30, 31])));
  });

  it('takes a body of the right hash but not a sorted list of its key’s offsets as unreadable', async () => {
    const { objects } = memoryBucket();
    for (const body of ['{"offsets":[1,5]}', '[5,1]', '[1,3,3,5]', '[1,"3",5]', '[1,3]']) {
      objects.clear();
      objects.set(`${prefix()}${pad(5)}-${pad(1)}-${hashOf(body)}`, body);
      const { sent, unknown } = await ledger.lookup(entries([1, 3]));
      expect(sent.size, body).toBe(0);
      expect(sorted(unknown), body).toEqual(ids(entries([1, 3])));
    }
  });

  it('retries transient faults of writes, listings and reads', async () => {
    // The first call of each operation fails, and the second listing (a truncated one's next).
    memoryBucket(1, (operation, n) => n === 1 || (operation === 'list' && n === 3));
    expect(await ledger.record(entries([1, 2]))).toEqual([]);
    expect(await ledger.record(entries([4, 6]))).toEqual([]);
    const { sent, unknown } = await ledger.lookup(entries([1, 2, 3, 6]));
    expect(sorted(sent)).toEqual(ids(entries([1, 2, 6])));
    expect(unknown.size).toBe(0);
    expect(mock.commandCalls(PutObjectCommand)).toHaveLength(3);
    // 1 fails, 2 lists the first page, 3 fails, 4 goes on after the first page.
    const listings = calls(ListObjectsV2Command);
    expect(listings).toHaveLength(4);
    expect(listings[3]?.StartAfter).toBe(listings[2]?.StartAfter);
    expect(listings[3]?.StartAfter).toMatch(/-[0-9a-f]{8}$/);
    expect(mock.commandCalls(GetObjectCommand)).toHaveLength(3);
  });

  it('retries a failing listing, then reports its partition’s ids as unknown', async () => {
    mock.on(ListObjectsV2Command).rejects(unavailable());
    const { sent, unknown } = await ledger.lookup([entry(1), entry(2)]);
    expect(sent.size).toBe(0);
    expect(sorted(unknown)).toEqual(ids([entry(1), entry(2)]));
    expect(mock.commandCalls(ListObjectsV2Command)).toHaveLength(3);
  });

  it('retries a failing read, then reports the page’s wanted ids as unknown', async () => {
    memoryBucket();
    await ledger.record(entries([1, 5]));
    await ledger.record(entries([8, 9]));
    mock.on(GetObjectCommand).rejects(unavailable());
    const { sent, unknown } = await ledger.lookup(entries([1, 2, 9]));
    expect(sent.size).toBe(0);
    expect(sorted(unknown)).toEqual(ids(entries([1, 2, 9])));
    expect(mock.commandCalls(GetObjectCommand)).toHaveLength(6);
  });

  it('throws a configuration fault of a listing or a read', async () => {
    mock.on(ListObjectsV2Command).rejects(denied());
    await expect(ledger.lookup([entry(1)])).rejects.toBeInstanceOf(PermanentError);

    memoryBucket();
    await ledger.record(entries([1]));
    mock.on(GetObjectCommand).rejects(denied());
    await expect(ledger.lookup([entry(1)])).rejects.toBeInstanceOf(PermanentError);
    expect(mock.commandCalls(GetObjectCommand)).toHaveLength(1);
  });

  it('retries a failing write and returns every id of a page it could not write, never throwing', async () => {
    let puts = 0;
    mock.on(PutObjectCommand).callsFake(() => {
      puts++;
      if (puts === 1) throw unavailable();
      return {};
    });
    expect(await ledger.record([entry(1)])).toEqual([]);
    expect(puts).toBe(2);

    mock.reset();
    mock.on(PutObjectCommand).callsFake((input) => {
      if (input.Key.startsWith(prefix(1))) throw unavailable();
      return {};
    });
    const failed = entries([2, 3, 7], 1);
    expect((await ledger.record([...entries([2, 3]), ...failed])).sort()).toEqual(ids(failed));
    // Partition 0's page once, partition 1's three times.
    expect(mock.commandCalls(PutObjectCommand)).toHaveLength(4);

    mock.reset();
    mock.on(PutObjectCommand).rejects(denied());
    expect((await ledger.record(entries([2, 3]))).sort()).toEqual(ids(entries([2, 3])));
    expect(mock.commandCalls(PutObjectCommand)).toHaveLength(1);
  });
});

function hashOf(body: string): string {
  return createHash('sha256').update(body).digest('hex').slice(0, 8);
}
