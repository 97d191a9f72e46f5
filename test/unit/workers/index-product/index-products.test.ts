/**
 * index-product's chunk logic over a mocked catalog (aws-sdk-client-mock) and a fake bulk
 * endpoint: grouping, versions, tombstones and the per-job outcome of each bulk item.
 * The real services are exercised in test/integration/workers/index-product.test.ts.
 */
import { BatchGetItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { BatchItemResult } from '../../../../functions/jobs/outcomes';
import type { JobContext } from '../../../../functions/jobs/runtime/run-types';
import { TransientError } from '../../../../functions/shared/errors';
import { ThrottledError } from '../../../../functions/shared/throttling';
import { ThrottledWithBatchError } from '../../../../functions/targets/opensearch/batch-results';
import { DocumentRejectedError } from '../../../../functions/targets/opensearch/errors';
import { InvalidCatalogRowError } from '../../../../functions/workers/index-product/catalog-row';
import type { IndexProductSettings } from '../../../../functions/workers/index-product/config';
import {
  CatalogRowBehindError,
  indexProducts,
  NotAProductEventError,
  planProducts,
} from '../../../../functions/workers/index-product/index-products';
import type { CatalogRow } from '../../../../local/shop/catalog-rows';
import { catalogItem, catalogRow } from '../../../support/catalog';
import { type FakeSearch, fakeSearch, type ItemAnswer } from '../../../support/fake-search';
import { OFFLINE_AWS } from '../../../support/offline-aws';
import { captureLog } from '../../../support/router';

const TABLE = 'sluice-t-catalog';
const ALIAS = 'sluice-t-products';
const NOW = new Date('2026-11-28T10:00:00.000Z');
const settings: IndexProductSettings = {
  productsAlias: ALIAS,
  catalogTable: TABLE,
  catalogReadAttempts: 2,
  catalogReadBackoff: { baseMs: 1, capMs: 1 },
  bulkMaxBytes: 1_000_000,
};
const dynamodb = new DynamoDBClient(OFFLINE_AWS);
const catalog = mockClient(dynamodb);
let rows: Map<string, Record<string, unknown>>;

beforeEach(() => {
  rows = new Map();
  catalog.reset();
  catalog.on(BatchGetItemCommand).callsFake((input) => {
    const keys = input.RequestItems[TABLE].Keys as Array<{ productId: { S: string } }>;
    const found = keys.flatMap((k) => {
      const row = rows.get(k.productId.S);
      return row ? [row] : [];
    });
    return { Responses: { [TABLE]: found } };
  });
});

const store = (...list: CatalogRow[]) => {
  for (const row of list) rows.set(row.productId, catalogItem(row));
};

function job(productId: string, catalogVersion: number, n = 0): JobContext {
  const event = {
    id: `evt-${productId}-${catalogVersion}-${n}`,
    type: 'PRODUCT_UPDATED',
    data: { productId, catalogVersion },
  };
  return {
    jobId: `job-${productId}-${catalogVersion}-${n}`,
    event,
    message: {} as JobContext['message'],
    attempt: 1,
    maxAttempts: 8,
    log: captureLog(),
  };
}

const deps = (search: FakeSearch) => ({
  dynamodb,
  search: search.client,
  settings,
  now: () => NOW,
  sleep: async () => undefined,
});

async function run(
  contexts: JobContext[],
  answer?: (id: string) => ItemAnswer,
  loaded?: Parameters<typeof indexProducts>[2],
) {
  const search: FakeSearch = fakeSearch((item) => answer?.(item.meta._id) ?? { status: 201 });
  const results = await indexProducts(deps(search), contexts, loaded);
  return { results, search, items: search.requests.flatMap((r) => r.items) };
}

const errorOf = (result: BatchItemResult) =>
  result && result.kind === 'failed' ? (result.error as Error) : undefined;

describe('indexProducts', () => {
  it('reads each product once and writes it once, at the row version, for all its jobs', async () => {
    store(catalogRow('p-1', 3), catalogRow('p-2', 1));
    const { results, search, items } = await run([
      job('p-1', 2),
      job('p-2', 1),
      job('p-1', 3),
      job('p-1', 3, 1),
    ]);
    expect(results).toEqual([undefined, undefined, undefined, undefined]);
    expect(catalog.commandCalls(BatchGetItemCommand)).toHaveLength(1);
    expect(search.requests).toHaveLength(1);
    expect(items.map((i) => [i.operation, i.meta])).toEqual([
      ['index', { _index: ALIAS, _id: 'p-1', version: 3, version_type: 'external_gte' }],
      ['index', { _index: ALIAS, _id: 'p-2', version: 1, version_type: 'external_gte' }],
    ]);
    expect(items[0]?.document).toMatchObject({ deleted: false, status: 'PUBLISHED', version: 3 });
  });

  it('writes a tombstone for an unpublished row and for a gone one, at the newest event version', async () => {
    store(catalogRow('p-1', 4, 'UNPUBLISHED'));
    const { results, items } = await run([job('p-1', 4), job('gone', 6), job('gone', 9)]);
    expect(results).toEqual([undefined, undefined, undefined]);
    expect(
      items.map((i) => [i.meta._id, i.meta.version, i.document.deleted, i.document.status]),
    ).toEqual([
      ['p-1', 4, true, 'UNPUBLISHED'],
      ['gone', 9, true, 'GONE'],
    ]);
  });

  it("gives a gone row's tombstone the newest version of the jobs run, not of the events planned", async () => {
    const search = fakeSearch(() => ({ status: 201 }));
    // Planned from v1 only: the v5 job was claim-checked, its event read after the load.
    const planned = await planProducts(deps(search), [job('gone', 1).event, job('other', 7).event]);
    const { results, items } = await run([job('gone', 1), job('gone', 5)], undefined, planned);
    expect(results).toEqual([undefined, undefined]);
    expect(items.map((i) => [i.meta._id, i.meta.version, i.document.status])).toEqual([
      ['gone', 5, 'GONE'],
    ]);
  });

  it('treats a 409 (a newer version is stored) as success', async () => {
    store(catalogRow('p-1', 2));
    const { results } = await run([job('p-1', 2)], () => ({
      status: 409,
      error: { type: 'version_conflict_engine_exception' },
    }));
    expect(results).toEqual([undefined]);
  });

  it('retries a job whose event is newer than the row read, still writing the row', async () => {
    store(catalogRow('p-1', 2));
    const { results, items } = await run([job('p-1', 2), job('p-1', 5)]);
    expect(results[0]).toBeUndefined();
    expect(errorOf(results[1])).toBeInstanceOf(CatalogRowBehindError);
    expect(errorOf(results[1])?.message).toBe('catalog row p-1 is at version 2, the event at 5');
    expect(items).toHaveLength(1);
  });

  it('dead-letters jobs of an invalid row or event and of a rejected document only', async () => {
    const bad = catalogRow('bad-row', 1);
    store(catalogRow('p-1', 1), catalogRow('p-2', 1));
    rows.set('bad-row', { ...catalogItem(bad), price: { S: 'free' } });
    const noProduct = { ...job('x', 1), event: { data: { catalogVersion: 1 } } };
    const { results, items } = await run(
      [job('p-1', 1), job('bad-row', 1), noProduct, job('p-2', 1)],
      (id) =>
        id === 'p-2'
          ? { status: 400, error: { type: 'mapper_parsing_exception' } }
          : { status: 201 },
    );
    expect(results[0]).toBeUndefined();
    expect(errorOf(results[1])).toBeInstanceOf(InvalidCatalogRowError);
    expect(errorOf(results[2])).toBeInstanceOf(NotAProductEventError);
    expect(errorOf(results[3])).toBeInstanceOf(DocumentRejectedError);
    expect(items.map((i) => i.meta._id)).toEqual(['p-1', 'p-2']);
  });

  it('signals throttling once per chunk however many items were rejected', async () => {
    store(catalogRow('a', 1), catalogRow('b', 1), catalogRow('c', 1));
    const { results } = await run([job('a', 1), job('b', 1), job('c', 1)], (id) =>
      id === 'a'
        ? { status: 503, error: { type: 'unavailable' } }
        : { status: 429, error: { type: 'rejected_execution_exception' } },
    );
    const errors = results.map(errorOf);
    expect(errors[0]).toBeInstanceOf(TransientError);
    expect(errors[0]).not.toBeInstanceOf(ThrottledError);
    expect(errors[1]).toBeInstanceOf(ThrottledError);
    expect(errors[2]).toBeInstanceOf(ThrottledWithBatchError);
  });

  it('sends nothing when no job names a product', async () => {
    const noProduct = { ...job('x', 1), event: { type: 'PRODUCT_UPDATED' } };
    const { results, search } = await run([noProduct]);
    expect(errorOf(results[0])).toBeInstanceOf(NotAProductEventError);
    expect(search.requests).toHaveLength(0);
    expect(catalog.commandCalls(BatchGetItemCommand)).toHaveLength(0);
  });

  it('uses writes planned ahead, reading and planning only the products they lack', async () => {
    store(catalogRow('p-1', 1), catalogRow('p-2', 2), catalogRow('p-3', 1));
    const search = fakeSearch(() => ({ status: 201 }));
    const loaded = await planProducts(deps(search), [job('p-1', 1).event, job('p-2', 2).event]);
    expect(catalog.commandCalls(BatchGetItemCommand)).toHaveLength(1);
    // A newer row stored after the load is not seen for p-2: the loaded read is used.
    store(catalogRow('p-2', 3));
    const { results, items } = await run(
      [job('p-1', 1), job('p-2', 2), job('p-3', 1)],
      undefined,
      loaded,
    );
    expect(results).toEqual([undefined, undefined, undefined]);
    const reads = catalog.commandCalls(BatchGetItemCommand);
    expect(reads).toHaveLength(2);
    expect(reads[1]?.args[0].input.RequestItems?.[TABLE]?.Keys).toEqual([
      { productId: { S: 'p-3' } },
    ]);
    expect(items.map((i) => [i.meta._id, i.meta.version])).toEqual([
      ['p-1', 1],
      ['p-2', 2],
      ['p-3', 1],
    ]);
  });
});
