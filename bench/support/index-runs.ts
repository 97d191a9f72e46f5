/**
 * bench:index's core: the production index-product handler (functions/workers/index-product/
 * handler.ts, imported after the environment points it at this run's stage) fed prebuilt
 * SQS batches until every document is searchable, against raw `_bulk` requests of the same
 * documents at the same chunk size and with the same query, plus `_refresh` — same node, same process, alternating
 * order, fresh indexes every round. Each round is checked, untimed: no job failed, both
 * indexes hold every document, and sampled documents are the same in both.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Client } from '@opensearch-project/opensearch';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { BULK_RESPONSE_FIELDS, bulkLines } from '../../functions/targets/opensearch/bulk';
import { createOpenSearchClient } from '../../functions/targets/opensearch/client';
import { ensureIndex } from '../../functions/targets/opensearch/index-setup';
import { PRODUCTS_INDEX } from '../../functions/targets/opensearch/indexes/products';
import { aliasName } from '../../functions/targets/opensearch/indexes/spec';
import { resourceName } from '../../functions/topology/naming';
import { TABLES } from '../../functions/topology/topology';
import { removeStageIndexes } from '../../local/provision/indexes';
import { provisionTables } from '../../local/provision/tables';
import { localEndpoints } from '../../local/services/endpoints';
import { writeCatalogRows } from '../../local/shop/catalog-rows';
import { type BulkTimes, watchBulkRequests } from './bulk-probe';
import { startMemoryCatalog } from './index-catalog';
import { type IndexFixture, indexFixture } from './index-fixture';

export interface IndexBenchOptions {
  readonly docs: number;
  /** Jobs per SQS batch (handler invocation). */
  readonly batchSize: number;
  /**
   * Jobs per bulk request: index-product's chunk size, which the raw baseline's chunks
   * follow (each batch cut the same way).
   */
  readonly chunkSize: number;
  readonly rounds: number;
  readonly warmUpRounds: number;
  /** Batches in flight at once, for the pipeline and the baseline alike. */
  readonly concurrency: number;
  /** Where the catalog rows are read from: in-process (default) or moto. */
  readonly catalog: 'memory' | 'moto';
  readonly log: (line: string) => void;
}

export interface IndexBenchResult {
  readonly docsPerSecond: number;
  readonly vsRawBulk: number;
  readonly bulkRequestsPer1000: number;
  readonly pipelineMs: readonly number[];
  readonly rawMs: readonly number[];
  /** This process's CPU time (all threads) during each side, per round. */
  readonly pipelineCpuMs: readonly number[];
  readonly rawCpuMs: readonly number[];
  /** How long the in-process catalog was busy answering, per round (none with moto). */
  readonly catalogBusyMs: readonly number[];
  /** Each side's `_bulk` requests, per round: how long they were out, and the time between. */
  readonly pipelineBulk: readonly BulkTimes[];
  readonly rawBulk: readonly BulkTimes[];
}

type Handler = (event: SQSEvent) => Promise<SQSBatchResponse>;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function inPool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++] as T);
  });
  await Promise.all(lanes);
}

/**
 * @example
 * ```ts
 * const result = await runIndexBench({ docs: 5000, batchSize: 1000, chunkSize: 100, rounds: 5, warmUpRounds: 1,
 *   concurrency: 1, catalog: 'memory', log: console.error });
 * ```
 */
export async function runIndexBench(options: IndexBenchOptions): Promise<IndexBenchResult> {
  const { log } = options;
  const stage = `bench${Date.now().toString(36)}`;
  const rawStage = `${stage}r`;
  const catalogTable = resourceName(stage, TABLES.catalog.name);
  const fixture = indexFixture(
    options.docs,
    options.batchSize,
    options.chunkSize,
    aliasName(rawStage, 'products'),
  );
  const search = createOpenSearchClient({
    url: process.env.SLUICE_OPENSEARCH_URL ?? localEndpoints.opensearch,
    mode: 'none',
  });
  const memory =
    options.catalog === 'memory'
      ? await startMemoryCatalog(new Map([[catalogTable, fixture.items]]))
      : undefined;
  if (memory) {
    process.env.AWS_ENDPOINT_URL_DYNAMODB = memory.url;
  } else {
    const dynamodb = new DynamoDBClient({});
    await provisionTables(dynamodb, stage);
    await writeCatalogRows(dynamodb, catalogTable, fixture.rows);
  }
  Object.assign(process.env, {
    SLUICE_STAGE: stage,
    SLUICE_QUEUE_URL_BASE: `${localEndpoints.sqs}/000000000000/`,
    SLUICE_OPENSEARCH_URL: process.env.SLUICE_OPENSEARCH_URL ?? localEndpoints.opensearch,
    SLUICE_OPENSEARCH_MODE: 'none',
  });
  const { handler } = (await import('../../functions/workers/index-product/handler')) as {
    handler: Handler;
  };
  log(
    `bench:index — ${options.docs} documents in SQS batches of ${options.batchSize}, ` +
      `bulk requests of ${options.chunkSize}, ` +
      `${options.concurrency} in flight, catalog ${options.catalog}, ` +
      `${options.warmUpRounds} warm-up + ${options.rounds} rounds`,
  );
  const pipelineMs: number[] = [];
  const rawMs: number[] = [];
  const pipelineCpuMs: number[] = [];
  const rawCpuMs: number[] = [];
  const catalogBusyMs: number[] = [];
  const pipelineBulk: BulkTimes[] = [];
  const rawBulk: BulkTimes[] = [];
  let bulkRequests = 0;
  try {
    for (let round = 0; round < options.warmUpRounds + options.rounds; round++) {
      const [pipelineIndex, rawIndex] = await freshIndexes(search, stage, rawStage);
      const timings: Record<string, number> = {};
      const cpu: Record<string, number> = {};
      const bulk: Record<string, BulkTimes> = {};
      let catalogBusy = 0;
      const order = round % 2 === 0 ? ['pipeline', 'raw'] : ['raw', 'pipeline'];
      for (const side of order) {
        const started = performance.now();
        const cpuBefore = process.cpuUsage();
        const catalogBefore = memory?.busyMs() ?? 0;
        const probe = watchBulkRequests();
        if (side === 'pipeline') {
          await runPipeline(handler, fixture, options.concurrency);
          await search.indices.refresh({ index: pipelineIndex });
          timings.pipeline = performance.now() - started;
        } else {
          await runRaw(search, fixture, options.concurrency);
          await search.indices.refresh({ index: rawIndex });
          timings.raw = performance.now() - started;
        }
        bulk[side] = probe.stop();
        const used = process.cpuUsage(cpuBefore);
        cpu[side] = (used.user + used.system) / 1000;
        if (side === 'pipeline') catalogBusy = (memory?.busyMs() ?? 0) - catalogBefore;
      }
      await check(search, fixture, pipelineIndex, rawIndex);
      const label =
        round < options.warmUpRounds ? 'warm-up' : `round ${round - options.warmUpRounds + 1}`;
      log(
        `${label}: pipeline ${(timings.pipeline as number).toFixed(0)} ms, raw _bulk ${(timings.raw as number).toFixed(0)} ms`,
      );
      if (round >= options.warmUpRounds) {
        pipelineMs.push(timings.pipeline as number);
        rawMs.push(timings.raw as number);
        pipelineCpuMs.push(cpu.pipeline as number);
        rawCpuMs.push(cpu.raw as number);
        catalogBusyMs.push(catalogBusy);
        pipelineBulk.push(bulk.pipeline as BulkTimes);
        rawBulk.push(bulk.raw as BulkTimes);
        bulkRequests = Math.max(bulkRequests, (bulk.pipeline as BulkTimes).requests);
      }
    }
  } finally {
    await removeStageIndexes(search, stage);
    await removeStageIndexes(search, rawStage);
    await search.close();
    await memory?.close();
  }
  const pipeline = median(pipelineMs);
  const raw = median(rawMs);
  return {
    docsPerSecond: Math.round(options.docs / (pipeline / 1000)),
    vsRawBulk: Number((raw / pipeline).toFixed(3)),
    bulkRequestsPer1000: Number(((bulkRequests / options.docs) * 1000).toFixed(2)),
    pipelineMs,
    rawMs,
    pipelineCpuMs,
    rawCpuMs,
    catalogBusyMs,
    pipelineBulk,
    rawBulk,
  };
}

/** New, empty indexes behind both aliases: every round indexes into the same conditions. */
async function freshIndexes(
  search: Client,
  stage: string,
  rawStage: string,
): Promise<[string, string]> {
  await removeStageIndexes(search, stage);
  await removeStageIndexes(search, rawStage);
  const pipeline = await ensureIndex(search, stage, PRODUCTS_INDEX, { replicas: 0 });
  const raw = await ensureIndex(search, rawStage, PRODUCTS_INDEX, { replicas: 0 });
  await search.cluster.health({ index: [pipeline.index, raw.index], wait_for_status: 'green' });
  return [pipeline.index, raw.index];
}

async function runPipeline(handler: Handler, fixture: IndexFixture, concurrency: number) {
  let failures = 0;
  await inPool(fixture.batches, concurrency, async (batch) => {
    failures += (await handler(batch)).batchItemFailures.length;
  });
  if (failures > 0) throw new Error(`index-product reported ${failures} failed jobs`);
}

/** The pipeline's own bulk requests: the same query (alias required, response filtered). */
async function runRaw(search: Client, fixture: IndexFixture, concurrency: number) {
  await inPool(fixture.rawChunks, concurrency, async (chunk) => {
    const { body: response } = await search.transport.request({
      method: 'POST',
      path: '/_bulk',
      querystring: { require_alias: 'true', filter_path: BULK_RESPONSE_FIELDS },
      bulkBody: chunk.map(bulkLines).join(''),
    });
    const items = (response as { items?: Array<Record<string, { status: number }>> }).items ?? [];
    const failed = items.some((item) => Object.values(item).some((result) => result.status >= 300));
    if (failed || items.length !== chunk.length) throw new Error('raw _bulk had item errors');
  });
}

/** Untimed: both indexes hold every document, and sampled documents agree. */
async function check(
  search: Client,
  fixture: IndexFixture,
  pipelineIndex: string,
  rawIndex: string,
) {
  const docs = fixture.rows.length;
  for (const index of [pipelineIndex, rawIndex]) {
    const { body } = await search.count({ index, body: { query: { term: { deleted: false } } } });
    if (body.count !== docs)
      throw new Error(`${index} has ${body.count} searchable documents, expected ${docs}`);
  }
  const step = Math.max(1, Math.floor(docs / 7));
  for (let i = 0; i < docs; i += step) {
    const id = fixture.rows[i]?.productId as string;
    const [a, b] = await Promise.all([
      search.get({ index: pipelineIndex, id }),
      search.get({ index: rawIndex, id }),
    ]);
    const { indexedAt: _a, ...left } = a.body._source as Record<string, unknown>;
    const { indexedAt: _b, ...right } = b.body._source as Record<string, unknown>;
    if (JSON.stringify(left) !== JSON.stringify(right) || a.body._version !== b.body._version) {
      throw new Error(`document ${id} differs between the pipeline and the raw baseline`);
    }
  }
}
