/**
 * index-product against the real services: catalog rows in moto (DynamoDB), jobs on
 * ElasticMQ (SQS) through the job runtime, documents in the local OpenSearch node. The
 * stage is unique to this run; its indexes are removed afterwards.
 */
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { Client } from '@opensearch-project/opensearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineBatchJob } from '../../../functions/jobs/define-job';
import type { DeadLetter } from '../../../functions/queues/dead-letter';
import type { JobMessage } from '../../../functions/queues/job-message';
import { createOpenSearchClient } from '../../../functions/targets/opensearch/client';
import { DOCUMENT_REJECTED } from '../../../functions/targets/opensearch/errors';
import { ensureIndex } from '../../../functions/targets/opensearch/index-setup';
import { PRODUCTS_INDEX } from '../../../functions/targets/opensearch/indexes/products';
import {
  countSearchableProducts,
  searchProducts,
} from '../../../functions/targets/opensearch/product-search';
import { METRICS } from '../../../functions/topology/topology';
import { INVALID_CATALOG_ROW } from '../../../functions/workers/index-product/catalog-row';
import type { IndexProductSettings } from '../../../functions/workers/index-product/config';
import {
  indexProductCode,
  type ProductEvent,
} from '../../../functions/workers/index-product/index-products';
import { indexProductJob } from '../../../functions/workers/index-product/job';
import { removeStageIndexes } from '../../../local/provision/indexes';
import { opensearchUrlVariable } from '../../../local/services/endpoints';
import { catalogItem, catalogRow, deleteCatalogRow, putCatalog } from '../../support/catalog';
import * as esm from '../../support/esm';
import { jobContainerDeps } from '../../support/job-container';
import { routedJobMessage } from '../../support/job-message';
import { useLocalStage } from '../../support/local-stage';
import { captureMetrics } from '../../support/router';
import { uniqueId } from '../../support/unique-name';

const localStage = useLocalStage('ip');
const { stage, sqs, dynamodb } = localStage;
/** A second stage, only for the index this file blocks to provoke 429s. */
const blockedStage = `${stage}b`;
const search: Client = createOpenSearchClient({
  url: process.env[opensearchUrlVariable] as string,
  mode: 'none',
});
let settings: IndexProductSettings;

beforeAll(() => {
  settings = {
    productsAlias: localStage.provisioned.indexes.get('products')?.alias as string,
    catalogTable: localStage.provisioned.tables.get('catalog') as string,
    catalogReadAttempts: 3,
    catalogReadBackoff: { baseMs: 10, capMs: 50 },
    bulkMaxBytes: 5 * 1024 * 1024,
  };
});

afterAll(async () => {
  await removeStageIndexes(search, stage);
  await removeStageIndexes(search, blockedStage);
  await search.close();
});

const queue = () => localStage.queueUrl('job-index-product');
const dlq = () => localStage.queueUrl('job-index-product-dlq');
const unique = uniqueId;

/** The real job runtime over the job's own code; retries come back at once (random 0). */
function container(overrides: Partial<IndexProductSettings> = {}) {
  const metrics = captureMetrics();
  const deps = jobContainerDeps(indexProductJob, localStage, { metricSink: metrics });
  const code = indexProductCode({
    dynamodb,
    search,
    settings: { ...settings, ...overrides },
    now: () => new Date(),
  });
  const handler: esm.Handler = defineBatchJob(indexProductJob, code, deps);
  return { handler, metric: metrics.total };
}

let sequence = 0;
function productJob(
  productId: string,
  catalogVersion: number,
  type: ProductEvent['type'] = 'PRODUCT_UPDATED',
): JobMessage<ProductEvent> {
  const event: ProductEvent = {
    specversion: '1.0',
    id: `evt-${productId}-${catalogVersion}-${++sequence}`,
    source: 'urn:shop:catalog',
    type,
    time: new Date().toISOString(),
    dataversion: 1,
    data: { productId, catalogVersion },
  };
  return routedJobMessage('index-product', event, {
    provenance: { topic: 'catalog.events', offset: sequence, key: productId },
  });
}

async function send(...messages: JobMessage[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue(),
        Entries: messages.slice(i, i + 10).map((m, k) => ({
          Id: String(k),
          MessageBody: JSON.stringify(m),
        })),
      }),
    );
  }
}

/** Nothing visible or in flight. */
const queueEmpty = async () => (await esm.messagesIn(sqs, queue())) === 0;

/** Sends the jobs and runs the queue dry. */
async function run(handler: esm.Handler, ...messages: JobMessage[]): Promise<void> {
  await send(...messages);
  expect(await esm.pollUntil(sqs, queue(), handler, queueEmpty, 20_000)).toBe(true);
}

/** The stored document and its version, or undefined. */
async function stored(productId: string, alias = settings.productsAlias) {
  const { body, statusCode } = await search.get({ index: alias, id: productId }, { ignore: [404] });
  if (statusCode === 404) return undefined;
  return { version: body._version, source: body._source as Record<string, unknown> };
}

async function deadLetters(): Promise<DeadLetter[]> {
  return esm.deadLettersIn(sqs, dlq());
}

describe('index-product on moto, ElasticMQ and OpenSearch', () => {
  it('indexes, updates, and ignores an older version that arrives late', async () => {
    const { handler } = container();
    const id = unique('kettle');
    const table = settings.catalogTable;
    await putCatalog(dynamodb, table, catalogRow(id, 1, 'PUBLISHED', { title: 'steel kettle' }));
    await run(handler, productJob(id, 1, 'PRODUCT_PUBLISHED'));
    expect(await stored(id)).toMatchObject({ version: 1, source: { title: 'steel kettle' } });

    await putCatalog(
      dynamodb,
      table,
      catalogRow(id, 2, 'PUBLISHED', {
        title: 'copper kettle',
        price: { amount: 4500, currency: 'EUR' },
      }),
    );
    await run(handler, productJob(id, 2));
    expect(await stored(id)).toMatchObject({
      version: 2,
      source: { title: 'copper kettle', price: { amount: 4500, currency: 'EUR', value: 45 } },
    });

    // A worker that read version 1 (a lagging replica, a slow earlier run) writes late.
    await putCatalog(dynamodb, table, catalogRow(id, 1, 'PUBLISHED', { title: 'steel kettle' }));
    await run(handler, productJob(id, 1));
    expect(await stored(id)).toMatchObject({ version: 2, source: { title: 'copper kettle' } });
    expect(await deadLetters()).toEqual([]);
  });

  it('unpublishing leaves a tombstone no replayed publish can bring back', async () => {
    const { handler } = container();
    const id = unique('lamp');
    const table = settings.catalogTable;
    const word = unique('lampword').replace('-', '');
    const published = catalogRow(id, 1, 'PUBLISHED', { title: `vintage ${word}` });
    await putCatalog(dynamodb, table, published);
    const publish = productJob(id, 1, 'PRODUCT_PUBLISHED');
    await run(handler, publish);
    await search.indices.refresh({ index: settings.productsAlias });
    expect((await searchProducts(search, settings.productsAlias, { text: word })).total).toBe(1);

    await putCatalog(dynamodb, table, catalogRow(id, 2, 'UNPUBLISHED'));
    await run(handler, productJob(id, 2, 'PRODUCT_UNPUBLISHED'));
    const tombstone = { version: 2, source: { deleted: true, status: 'UNPUBLISHED' } };
    expect(await stored(id)).toMatchObject(tombstone);
    expect((await stored(id))?.source).not.toHaveProperty('title');

    // The old publish event again: the row says unpublished.
    await run(handler, { ...publish });
    // A replica still holding the published row answers the replay.
    await putCatalog(dynamodb, table, published);
    await run(handler, productJob(id, 1, 'PRODUCT_PUBLISHED'));
    // The row deleted for good: the replay writes a version-1 tombstone, older than the stored one.
    await deleteCatalogRow(dynamodb, table, id);
    await run(handler, { ...publish });

    expect(await stored(id)).toMatchObject(tombstone);
    await search.indices.refresh({ index: settings.productsAlias });
    expect((await searchProducts(search, settings.productsAlias, { text: word })).total).toBe(0);
    expect(await deadLetters()).toEqual([]);
  });

  it('a deleted product becomes a tombstone at the version its event names', async () => {
    const { handler } = container();
    const id = unique('gone');
    await putCatalog(dynamodb, settings.catalogTable, catalogRow(id, 3));
    await run(handler, productJob(id, 3));
    await deleteCatalogRow(dynamodb, settings.catalogTable, id);
    await run(handler, productJob(id, 4, 'PRODUCT_UNPUBLISHED'));
    expect(await stored(id)).toMatchObject({
      version: 4,
      source: { deleted: true, status: 'GONE' },
    });
  });

  it('dead-letters a document the mapping refuses and a broken catalog row; indexes the rest', async () => {
    const { handler, metric } = container();
    const good = unique('good');
    const badDate = unique('baddate');
    const broken = unique('broken');
    const table = settings.catalogTable;
    await putCatalog(
      dynamodb,
      table,
      catalogRow(good, 1),
      catalogRow(badDate, 1, 'PUBLISHED', { updatedAt: 'last tuesday' }),
    );
    const brokenItem = catalogItem(catalogRow(broken, 1));
    delete brokenItem.price;
    await putCatalog(dynamodb, table, brokenItem);

    await run(handler, productJob(good, 1), productJob(badDate, 1), productJob(broken, 1));
    expect(await stored(good)).toMatchObject({ version: 1 });
    expect(await stored(badDate)).toBeUndefined();
    const letters = await deadLetters();
    const byProduct = new Map(
      letters.map((l) => [
        (l.job?.message as JobMessage<ProductEvent> | undefined)?.event.data.productId,
        l,
      ]),
    );
    expect(byProduct.size).toBe(2);
    expect(byProduct.get(badDate)).toMatchObject({
      stage: 'job',
      reason: DOCUMENT_REJECTED,
      error: { class: 'DocumentRejectedError' },
    });
    expect(byProduct.get(badDate)?.error.message).toContain('mapper_parsing_exception');
    expect(byProduct.get(broken)).toMatchObject({
      reason: INVALID_CATALOG_ROW,
      error: { class: 'InvalidCatalogRowError' },
    });
    expect(metric(METRICS.jobs.deadLettered)).toBe(2);
    expect(metric(METRICS.jobs.succeeded)).toBe(1);
  });

  it('retries while the index rejects writes with 429, then recovers', async () => {
    // A dedicated alias: blocking it slows nothing else on the node.
    const blocked = await ensureIndex(search, blockedStage, PRODUCTS_INDEX, { replicas: 0 });
    const { handler, metric } = container({ productsAlias: blocked.alias });
    const ids = [unique('tent'), unique('tent')];
    for (const id of ids) await putCatalog(dynamodb, settings.catalogTable, catalogRow(id, 1));
    await send(...ids.map((id) => productJob(id, 1, 'PRODUCT_PUBLISHED')));
    const arn = await esm.queueArn(sqs, queue());

    await search.indices.putSettings({
      index: blocked.index,
      body: { 'index.blocks.read_only_allow_delete': true },
    });
    try {
      for (let attempt = 1; attempt <= 2; attempt++) {
        const messages = await esm.receive(sqs, queue(), 10, 30);
        expect(messages).toHaveLength(2);
        const response = await esm.deliver(sqs, queue(), arn, handler, messages);
        expect(response.batchItemFailures).toHaveLength(2);
      }
      // One push-back signal per bulk request, not one per rejected document.
      expect(metric(METRICS.jobs.throttled)).toBe(2);
      expect(metric(METRICS.jobs.retried)).toBe(4);
    } finally {
      await search.indices.putSettings({
        index: blocked.index,
        body: { 'index.blocks.read_only_allow_delete': null },
      });
    }
    expect(await esm.pollUntil(sqs, queue(), handler, queueEmpty, 15_000)).toBe(true);
    await search.indices.refresh({ index: blocked.alias });
    const found = await searchProducts(search, blocked.alias, {});
    expect(found.products.map((p) => p.productId).sort()).toEqual([...ids].sort());
    expect(await deadLetters()).toEqual([]);
  });

  it('search finds published products by text, facet and price, never tombstones', async () => {
    const { handler } = container();
    const category = unique('outdoor');
    const tag = unique('Foldable');
    const ids = { chair: unique('chair'), tent: unique('tent'), hidden: unique('chair') };
    const table = settings.catalogTable;
    await putCatalog(
      dynamodb,
      table,
      catalogRow(ids.chair, 1, 'PUBLISHED', {
        title: 'Foldable camping chairs',
        categories: [category],
        tags: [tag, 'green'],
        price: { amount: 2999, currency: 'EUR' },
      }),
      catalogRow(ids.tent, 1, 'PUBLISHED', {
        title: 'Two-person tent',
        categories: [category],
        tags: [tag.toLowerCase()],
        price: { amount: 12_900, currency: 'EUR' },
      }),
      catalogRow(ids.hidden, 1, 'DRAFT', {
        title: 'Camping chair prototype',
        categories: [category],
      }),
    );
    await run(handler, ...Object.values(ids).map((id) => productJob(id, 1)));
    await search.indices.refresh({ index: settings.productsAlias });
    const alias = settings.productsAlias;

    const inCategory = await searchProducts(search, alias, { categories: [category] });
    expect(inCategory.total).toBe(2);
    expect(inCategory.facets.tags).toContainEqual({ value: tag.toLowerCase(), count: 2 });
    // "chair" finds "chairs" (English stemming); the draft chair is a tombstone.
    const chairs = await searchProducts(search, alias, { text: 'chair', categories: [category] });
    expect(chairs.products.map((p) => p.productId)).toEqual([ids.chair]);
    const cheap = await searchProducts(search, alias, {
      categories: [category],
      price: { currency: 'EUR', max: 50 },
    });
    expect(cheap.products.map((p) => p.productId)).toEqual([ids.chair]);
    const total = await countSearchableProducts(search, alias);
    const all = await search.count({ index: alias });
    expect(all.body.count - total).toBeGreaterThanOrEqual(1);
  });
});
