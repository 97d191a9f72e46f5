/**
 * The DynamoDB dead-letter ledger: batched, consistent look-ups and writes under the
 * `ingest-dead-letter#` prefix, unprocessed keys and items retried, a transient failure that
 * outlasts the retries reported (unknown ids, unrecorded ids), a configuration fault thrown.
 */
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  DynamoDeadLetterLedger,
  ingestDeadLetterId,
} from '../../../functions/router/dead-letter-ledger';
import { PermanentError } from '../../../functions/shared/errors';

const TABLE = 'sluice-test-idempotency';
const dynamodb = new DynamoDBClient({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
const mock = mockClient(dynamodb);
const ledger = new DynamoDeadLetterLedger(dynamodb, {
  table: TABLE,
  ttlSeconds: 86_400,
  maxAttempts: 3,
  backoff: { baseMs: 0, capMs: 0 },
  concurrency: 4,
  sleep: async () => undefined,
});
const ids = (n: number) => Array.from({ length: n }, (_, i) => `id-${i}`);
const throttled = () =>
  Object.assign(new Error('slow down'), {
    name: 'ProvisionedThroughputExceededException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });
type Key = { key: { S: string } };

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
  it('looks ids up 100 at a time, consistently, and retries unprocessed keys', async () => {
    let calls = 0;
    mock.on(BatchGetItemCommand).callsFake((input) => {
      calls++;
      const request = input.RequestItems[TABLE];
      expect(request.ConsistentRead).toBe(true);
      const keys = request.Keys as Key[];
      expect(keys.length).toBeLessThanOrEqual(100);
      const found = keys.filter((k) => k.key.S.endsWith('7'));
      // The first answer of each call leaves its last key unprocessed.
      const unprocessed = calls <= 3 ? keys.slice(-1) : [];
      return {
        Responses: { [TABLE]: found.filter((k) => !unprocessed.includes(k)) },
        UnprocessedKeys: unprocessed.length ? { [TABLE]: { Keys: unprocessed } } : {},
      };
    });
    const result = await ledger.lookup(ids(250));
    expect([...result.sent].sort()).toEqual(
      ids(250)
        .filter((id) => id.endsWith('7'))
        .sort(),
    );
    expect(result.unknown.size).toBe(0);
    expect(calls).toBe(6);
  });

  it('reports ids it could not ask about in time as unknown', async () => {
    mock.on(BatchGetItemCommand).rejects(throttled());
    const result = await ledger.lookup(ids(3));
    expect([...result.unknown].sort()).toEqual(ids(3));
    expect(mock.commandCalls(BatchGetItemCommand)).toHaveLength(3);
  });

  it('throws a configuration fault', async () => {
    mock.on(BatchGetItemCommand).rejects(
      Object.assign(new Error('no'), {
        name: 'ResourceNotFoundException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    await expect(ledger.lookup(ids(1))).rejects.toBeInstanceOf(PermanentError);
  });

  it('records ids 25 at a time with a TTL, retrying unprocessed items, and returns what it could not', async () => {
    const written: string[] = [];
    mock.on(BatchWriteItemCommand).callsFake((input) => {
      const requests = input.RequestItems[TABLE] as Array<{
        PutRequest: { Item: Record<string, { S?: string; N?: string }> };
      }>;
      expect(requests.length).toBeLessThanOrEqual(25);
      const [first, ...rest] = requests;
      if (first?.PutRequest.Item.key?.S === 'ingest-dead-letter#id-0') {
        // id-0 is never processed.
        for (const r of rest) written.push(r.PutRequest.Item.key?.S ?? '');
        return { UnprocessedItems: { [TABLE]: [first] } };
      }
      for (const r of requests) written.push(r.PutRequest.Item.key?.S ?? '');
      expect(Number(first?.PutRequest.Item.expiresAt?.N)).toBe(1_795_860_000 + 86_400);
      return {};
    });
    const unrecorded = await ledger.record(ids(60), new Date('2026-11-28T10:00:00.000Z'));
    expect(unrecorded).toEqual(['id-0']);
    expect(written).toHaveLength(59);
  });

  it('returns every id a failing write could not record, never throwing', async () => {
    mock.on(BatchWriteItemCommand).rejects(throttled());
    expect(await ledger.record(ids(2), new Date())).toEqual(ids(2));
  });
});
