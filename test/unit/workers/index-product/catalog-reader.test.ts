import { BatchGetItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { PermanentError } from '../../../../functions/shared/errors';
import { ThrottledError } from '../../../../functions/shared/throttling';
import {
  type CatalogReadOptions,
  readCatalogRows,
} from '../../../../functions/workers/index-product/catalog-reader';
import { OFFLINE_AWS } from '../../../support/offline-aws';

const TABLE = 'sluice-t-catalog';
const dynamodb = new DynamoDBClient(OFFLINE_AWS);
const mock = mockClient(dynamodb);
const sleeps: number[] = [];
const options: CatalogReadOptions = {
  table: TABLE,
  attempts: 3,
  backoff: { baseMs: 100, capMs: 1000 },
  random: () => 0.5,
  sleep: async (ms) => {
    sleeps.push(ms);
  },
};
const item = (id: string) => ({ productId: { S: id }, version: { N: '1' } });
type Keys = Array<{ productId: { S: string } }>;
const keysOf = (input: unknown): string[] =>
  ((input as { RequestItems: Record<string, { Keys: Keys }> }).RequestItems[TABLE]?.Keys ?? []).map(
    (k) => k.productId.S,
  );

beforeEach(() => {
  mock.reset();
  sleeps.length = 0;
});

describe('readCatalogRows', () => {
  it('reads distinct ids consistently, at most 100 per call, and reports missing rows', async () => {
    const calls: string[][] = [];
    mock.on(BatchGetItemCommand).callsFake((input) => {
      const ids = keysOf(input);
      calls.push(ids);
      expect(input.RequestItems[TABLE].ConsistentRead).toBe(true);
      return { Responses: { [TABLE]: ids.filter((id) => id !== 'p-7').map(item) } };
    });
    const ids = Array.from({ length: 150 }, (_, i) => `p-${i}`);
    const reads = await readCatalogRows(dynamodb, [...ids, 'p-1', 'p-2'], options);
    expect(calls.map((c) => c.length).sort()).toEqual([100, 50]);
    expect(reads.size).toBe(150);
    expect(reads.get('p-7')).toEqual({ kind: 'missing' });
    expect(reads.get('p-8')).toEqual({ kind: 'found', item: item('p-8') });
  });

  it('retries UnprocessedKeys with backoff until they are read', async () => {
    let round = 0;
    mock.on(BatchGetItemCommand).callsFake((input) => {
      round++;
      const [first, ...rest] = keysOf(input);
      // Each round answers one key and leaves the rest unprocessed.
      return {
        Responses: { [TABLE]: [item(first as string)] },
        UnprocessedKeys: rest.length
          ? { [TABLE]: { Keys: rest.map((id) => ({ productId: { S: id } })) } }
          : {},
      };
    });
    const reads = await readCatalogRows(dynamodb, ['a', 'b', 'c'], options);
    expect(round).toBe(3);
    expect([...reads.values()].map((r) => r.kind)).toEqual(['found', 'found', 'found']);
    // Full jitter at 0.5 of ceilings 100 and 200 ms.
    expect(sleeps).toEqual([50, 100]);
  });

  it('fails keys still unprocessed after the last round with a ThrottledError', async () => {
    mock.on(BatchGetItemCommand).callsFake((input) => {
      const [first, ...rest] = keysOf(input);
      return {
        Responses: { [TABLE]: first === 'a' ? [item('a')] : [] },
        UnprocessedKeys: {
          [TABLE]: {
            Keys: (first === 'a' ? rest : keysOf(input)).map((id) => ({ productId: { S: id } })),
          },
        },
      };
    });
    const reads = await readCatalogRows(dynamodb, ['a', 'b', 'c'], options);
    expect(mock.commandCalls(BatchGetItemCommand)).toHaveLength(3);
    expect(reads.get('a')?.kind).toBe('found');
    for (const id of ['b', 'c']) {
      const read = reads.get(id);
      expect(read?.kind === 'failed' && read.error).toBeInstanceOf(ThrottledError);
    }
  });

  it('classifies a failed call: throttling, and permanent for a missing table', async () => {
    mock.on(BatchGetItemCommand).rejects(
      Object.assign(new Error('slow down'), {
        name: 'ProvisionedThroughputExceededException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const throttled = await readCatalogRows(dynamodb, ['a'], options);
    const a = throttled.get('a');
    expect(a?.kind === 'failed' && a.error).toBeInstanceOf(ThrottledError);

    mock.reset();

    mock.on(BatchGetItemCommand).rejects(
      Object.assign(new Error('no table'), {
        name: 'ResourceNotFoundException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const missing = await readCatalogRows(dynamodb, ['a'], options);
    const read = missing.get('a');
    expect(read?.kind === 'failed' && read.error).toBeInstanceOf(PermanentError);
  });
});
