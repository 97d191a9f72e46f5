/**
 * The DynamoDB dead-letter ledger: one item (a page) per partition and window of offsets,
 * added to by one UpdateItem per page a batch touches and read back by one consistent
 * BatchGetItem of up to 100 pages; unprocessed keys and transient faults retried, a fault
 * that outlasts the retries reported (unknown ids, unrecorded ids), a configuration fault
 * thrown.
 */
import { createHash } from 'node:crypto';
import {
  type AttributeValue,
  BatchGetItemCommand,
  DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  DynamoDeadLetterLedger,
  ingestDeadLetterId,
  LEDGER_RETENTION_SECONDS,
  LEDGER_WINDOW,
  type LedgerEntry,
} from '../../../functions/router/dead-letter-ledger';
import { PermanentError } from '../../../functions/shared/errors';
import { OFFLINE_AWS } from '../../support/offline-aws';

const dynamodb = new DynamoDBClient(OFFLINE_AWS);
const mock = mockClient(dynamodb);
const NOW = new Date('2026-12-07T10:00:00Z');
const options = {
  table: 'sluice-test-ingest-ledger',
  codeVersion: 'abc',
  maxAttempts: 3,
  backoff: { baseMs: 0, capMs: 0 },
  concurrency: 4,
  now: () => NOW,
  sleep: async () => undefined,
};
const ledger = new DynamoDeadLetterLedger(dynamodb, options);
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
/** A page's key under code version 'abc' (the format, spelled out). */
const pageId = (window: number, partition = 0, topic = TOPIC) =>
  `${createHash('sha256').update('abc').digest('hex').slice(0, 16)}#${encodeURIComponent(topic)}#${partition}#${window}`;
const fault = (name: string, status: number) =>
  Object.assign(new Error(name), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
const unavailable = () => fault('InternalServerError', 500);
const denied = () => fault('AccessDeniedException', 400);

type Operation = 'update' | 'read';

/**
 * A ledger table in memory answering UpdateItem (`ADD` to a number set, `SET` of the TTL) and
 * BatchGetItem; `fails` says which calls (the n-th of an operation, from 1) throw a transient
 * fault instead, `unprocessed` which keys of the n-th read come back unprocessed.
 */
function memoryTable(
  fails: (operation: Operation, n: number) => boolean = () => false,
  unprocessed: (key: string, n: number) => boolean = () => false,
) {
  const pages = new Map<string, { offsets: Set<string>; ttl: string }>();
  const counts: Record<Operation, number> = { update: 0, read: 0 };
  mock.on(UpdateItemCommand).callsFake((input) => {
    if (fails('update', ++counts.update)) throw unavailable();
    const key = input.Key.pageId.S as string;
    const page = pages.get(key) ?? { offsets: new Set<string>(), ttl: '' };
    for (const offset of input.ExpressionAttributeValues[':offsets'].NS) page.offsets.add(offset);
    page.ttl = input.ExpressionAttributeValues[':ttl'].N;
    pages.set(key, page);
    return {};
  });
  mock.on(BatchGetItemCommand).callsFake((input) => {
    const n = ++counts.read;
    if (fails('read', n)) throw unavailable();
    const request = input.RequestItems[options.table];
    const keys = request.Keys.map((k: Record<string, AttributeValue>) => k.pageId?.S as string);
    const left = keys.filter((key: string) => unprocessed(key, n));
    const found = keys
      .filter((key: string) => !left.includes(key) && pages.has(key))
      .map((key: string) => ({
        pageId: { S: key },
        offsets: { NS: [...(pages.get(key)?.offsets ?? [])] },
      }));
    return {
      Responses: { [options.table]: found },
      ...(left.length > 0
        ? {
            UnprocessedKeys: {
              [options.table]: {
                ...request,
                Keys: left.map((key: string) => ({ pageId: { S: key } })),
              },
            },
          }
        : {}),
    };
  });
  return { pages };
}

const reads = () => mock.commandCalls(BatchGetItemCommand).map((c) => c.args[0].input);

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

describe('DynamoDeadLetterLedger', () => {
  it('adds a batch to one page per partition and window: its offsets in the window, and a TTL', async () => {
    const { pages } = memoryTable();
    const p0 = entries(Array.from({ length: 40 }, (_, i) => 1_000 + 3 * i));
    const p1 = entries([7, 5, 9, 5], 1);
    const other = [entry(4, 0, 'identity/events')];
    expect(await ledger.record([...p1, ...p0, ...other])).toEqual([]);
    const updates = mock.commandCalls(UpdateItemCommand).map((c) => c.args[0].input);
    expect(updates).toHaveLength(3);
    const page0 = updates.find((u) => u.Key?.pageId?.S === pageId(1));
    expect(page0?.TableName).toBe(options.table);
    expect(page0?.UpdateExpression).toBe('ADD #offsets :offsets SET #ttl = :ttl');
    expect(page0?.ExpressionAttributeNames).toEqual({ '#offsets': 'offsets', '#ttl': 'expiresAt' });
    expect(page0?.ExpressionAttributeValues?.[':offsets']?.NS).toEqual(
      Array.from({ length: 40 }, (_, i) => String(3 * i)),
    );
    const ttl = NOW.getTime() / 1000 + LEDGER_RETENTION_SECONDS;
    expect(page0?.ExpressionAttributeValues?.[':ttl']).toEqual({ N: String(ttl) });
    // Each offset once; a topic is URI-encoded in the key.
    expect([...(pages.get(pageId(0, 1))?.offsets ?? [])].sort()).toEqual(['5', '7', '9']);
    expect(pages.has(pageId(0, 0, 'identity/events'))).toBe(true);
    expect(pageId(0, 0, 'identity/events')).toContain('#identity%2Fevents#');
  });

  it('finds exactly what it recorded: not the offsets between, nor another partition’s, topic’s or code version’s', async () => {
    memoryTable();
    const recorded = entries([10, 12, 14]);
    await ledger.record(recorded);
    const between = entries([11, 13]);
    const elsewhere = [entry(12, 1), entry(12, 0, 'identity.events')];
    const { sent, unknown } = await ledger.lookup([...recorded, ...between, ...elsewhere]);
    expect(sorted(sent)).toEqual(ids(recorded));
    expect(unknown.size).toBe(0);
    // One consistent read for the batch's three pages.
    expect(reads()).toHaveLength(1);
    expect(reads()[0]?.RequestItems?.[options.table]?.ConsistentRead).toBe(true);
    expect(reads()[0]?.RequestItems?.[options.table]?.Keys).toHaveLength(3);
    const otherCode = new DynamoDeadLetterLedger(dynamodb, { ...options, codeVersion: 'def' });
    expect((await otherCode.lookup(recorded)).sent.size).toBe(0);
  });

  it('keeps a batch straddling a window in two pages, and finds both; a redelivery adds nothing', async () => {
    const { pages } = memoryTable();
    const batch = entries([LEDGER_WINDOW - 2, LEDGER_WINDOW - 1, LEDGER_WINDOW, LEDGER_WINDOW + 5]);
    await ledger.record(batch);
    expect([...(pages.get(pageId(0))?.offsets ?? [])]).toEqual(['998', '999']);
    expect([...(pages.get(pageId(1))?.offsets ?? [])]).toEqual(['0', '5']);
    await ledger.record(batch.slice(1));
    expect(pages.get(pageId(0))?.offsets.size).toBe(2);
    expect(pages.get(pageId(1))?.offsets.size).toBe(2);
    const { sent } = await ledger.lookup([...batch, entry(LEDGER_WINDOW + 1)]);
    expect(sorted(sent)).toEqual(ids(batch));
  });

  it('reads more than 100 pages in calls of 100', async () => {
    memoryTable();
    const wide = entries(Array.from({ length: 150 }, (_, i) => i * LEDGER_WINDOW + 7));
    await ledger.record(wide.filter((_, i) => i % 2 === 0));
    const { sent } = await ledger.lookup(wide);
    expect(sorted(sent)).toEqual(ids(wide.filter((_, i) => i % 2 === 0)));
    expect(reads().map((r) => r.RequestItems?.[options.table]?.Keys?.length)).toEqual([100, 50]);
  });

  it('asks again for the pages DynamoDB left unprocessed, only for those', async () => {
    memoryTable(undefined, (key, n) => n === 1 && key === pageId(1));
    const batch = entries([5, LEDGER_WINDOW + 5]);
    await ledger.record(batch);
    const { sent, unknown } = await ledger.lookup([...batch, entry(LEDGER_WINDOW + 6)]);
    expect(sorted(sent)).toEqual(ids(batch));
    expect(unknown.size).toBe(0);
    expect(reads().map((r) => r.RequestItems?.[options.table]?.Keys)).toEqual([
      [{ pageId: { S: pageId(0) } }, { pageId: { S: pageId(1) } }],
      [{ pageId: { S: pageId(1) } }],
    ]);
  });

  it('reports the ids of pages still unread after its attempts as unknown, never as sent or not sent', async () => {
    memoryTable(undefined, (key) => key === pageId(1));
    const batch = entries([5, LEDGER_WINDOW + 5]);
    await ledger.record(batch);
    const { sent, unknown } = await ledger.lookup([...batch, entry(LEDGER_WINDOW + 6)]);
    expect(sorted(sent)).toEqual([entry(5).id]);
    expect(sorted(unknown)).toEqual(ids([entry(LEDGER_WINDOW + 5), entry(LEDGER_WINDOW + 6)]));
    expect(reads()).toHaveLength(options.maxAttempts);
  });

  it('retries transient faults of writes and reads', async () => {
    memoryTable((_operation, n) => n <= 2);
    const batch = entries([3, 4]);
    expect(await ledger.record(batch)).toEqual([]);
    expect(sorted((await ledger.lookup(batch)).sent)).toEqual(ids(batch));
    expect(mock.commandCalls(UpdateItemCommand)).toHaveLength(3);
    expect(reads()).toHaveLength(3);
  });

  it('reports every id as unknown when reading fails on every attempt', async () => {
    memoryTable((operation) => operation === 'read');
    const batch = entries([3, LEDGER_WINDOW + 3]);
    const { sent, unknown } = await ledger.lookup(batch);
    expect(sent.size).toBe(0);
    expect(sorted(unknown)).toEqual(ids(batch));
  });

  it('throws a configuration fault of a read', async () => {
    mock.on(BatchGetItemCommand).rejects(denied());
    await expect(ledger.lookup(entries([1]))).rejects.toBeInstanceOf(PermanentError);
    expect(reads()).toHaveLength(1);
  });

  it('returns the ids of a page it could not write, never throwing; a permanent fault is not retried', async () => {
    mock.on(UpdateItemCommand).callsFake((input) => {
      if (input.Key.pageId.S === pageId(0)) throw unavailable();
      return {};
    });
    const failing = entries([1, 2]);
    const other = entries([3], 1);
    const unrecorded = await ledger.record([...failing, ...other]);
    // The first page's attempts all fail; the second page is written.
    expect(unrecorded.sort()).toEqual(ids(failing));
    expect(mock.commandCalls(UpdateItemCommand)).toHaveLength(options.maxAttempts + 1);
    mock.reset();
    mock.on(UpdateItemCommand).rejects(denied());
    expect((await ledger.record(failing)).sort()).toEqual(ids(failing));
    expect(mock.commandCalls(UpdateItemCommand)).toHaveLength(1);
  });
});
