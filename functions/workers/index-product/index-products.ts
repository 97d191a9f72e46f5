/**
 * index-product's work for one chunk of jobs: the events are triggers, the catalog row is
 * the truth. Per chunk: one BatchGetItem round per 100 distinct products, one bulk request,
 * one result per job. The read is the job's `load` phase: the runtime runs it for the next
 * chunk while this chunk's bulk request is in flight.
 *
 * - Several jobs for one product in a chunk: read once, written once; they share the outcome.
 * - Published row → the product document at the row's version (`external_gte`); not
 *   published, or gone → a tombstone. An older write answers 409: success, nothing changes.
 * - A row older than the event's `catalogVersion` (a lagging replica): the newer row is
 *   written when it arrives; this job retries (TransientError) until it does.
 * - Per item: 400 → dead letter now; 429 → ThrottledError (once per chunk, see
 *   throttleOncePerBatch); 5xx, timeouts → retry with backoff.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Client } from '@opensearch-project/opensearch';
import type { CloudEvent } from '../../events/envelope';
import type { ProductReference } from '../../events/schemas/catalog';
import type { BatchJobCode } from '../../jobs/define-job';
import type { BatchItemResult } from '../../jobs/outcomes';
import type { JobContext } from '../../jobs/run-types';
import { PermanentError, TransientError } from '../../shared/errors';
import { throttleOncePerBatch } from '../../targets/opensearch/batch-results';
import { type BulkWrite, bulkWrite } from '../../targets/opensearch/bulk';
import { type CatalogRead, readCatalogRows } from './catalog-reader';
import { parseCatalogItem } from './catalog-row';
import type { IndexProductSettings } from './config';
import { documentForRow, goneTombstone, type VersionedDocument } from './product-document';

export type ProductEvent = CloudEvent<
  'PRODUCT_PUBLISHED' | 'PRODUCT_UPDATED' | 'PRODUCT_UNPUBLISHED',
  ProductReference
>;

export interface IndexProductDeps {
  readonly dynamodb: DynamoDBClient;
  readonly search: Client;
  readonly settings: IndexProductSettings;
  readonly now: () => Date;
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** A job whose event is not a product reference (it passed the router, so a bug). */
export class NotAProductEventError extends PermanentError {
  override name = 'NotAProductEventError';
  readonly reason = 'NOT_A_PRODUCT_EVENT';
}

/** The catalog row is older than the event that triggered the job: read it again later. */
export class CatalogRowBehindError extends TransientError {
  override name = 'CatalogRowBehindError';
}

/** The product id and catalog version of a job's event, if it has them. */
export function productReferenceOf(event: unknown): ProductReference | undefined {
  const data = (event as { data?: { productId?: unknown; catalogVersion?: unknown } } | null)?.data;
  const { productId, catalogVersion } = data ?? {};
  if (typeof productId !== 'string' || productId === '') return undefined;
  if (!Number.isSafeInteger(catalogVersion) || (catalogVersion as number) < 1) return undefined;
  return { productId, catalogVersion: catalogVersion as number };
}

interface ProductJobs {
  /** Positions of this product's jobs in the chunk. */
  readonly jobs: number[];
  /** The newest catalog version among them. */
  newest: number;
}

/** Catalog reads by product id, as {@link loadCatalogRows} gives them. */
export type CatalogReads = ReadonlyMap<string, CatalogRead>;

/**
 * @example
 * ```ts
 * export const handler = defineBatchJob(indexProductJob, indexProductCode(deps));
 * ```
 */
export function indexProductCode(deps: IndexProductDeps): BatchJobCode<ProductEvent, CatalogReads> {
  return {
    load: (events) => loadCatalogRows(deps, events),
    performBatch: (contexts, reads) => indexProducts(deps, contexts, reads),
  };
}

/** The catalog rows of the products `events` name (events naming none are skipped). */
export function loadCatalogRows(
  deps: IndexProductDeps,
  events: readonly unknown[],
): Promise<Map<string, CatalogRead>> {
  const ids = events.flatMap((event) => productReferenceOf(event)?.productId ?? []);
  return readRows(deps, ids);
}

function readRows(deps: IndexProductDeps, ids: readonly string[]) {
  const { settings } = deps;
  return readCatalogRows(deps.dynamodb, ids, {
    table: settings.catalogTable,
    attempts: settings.catalogReadAttempts,
    backoff: settings.catalogReadBackoff,
    random: deps.random,
    sleep: deps.sleep,
  });
}

/** `loaded` with the rows it lacks read now (all of them without `loaded`). */
async function completeReads(
  deps: IndexProductDeps,
  ids: readonly string[],
  loaded: CatalogReads | undefined,
): Promise<CatalogReads> {
  const missing = loaded ? ids.filter((id) => !loaded.has(id)) : ids;
  if (missing.length === 0 && loaded) return loaded;
  const read = await readRows(deps, missing);
  if (loaded) for (const [id, entry] of loaded) read.set(id, entry);
  return read;
}

/**
 * One result per context, in order (`undefined` = success). `loaded`: rows read ahead by
 * {@link loadCatalogRows}; products it lacks are read here.
 */
export async function indexProducts(
  deps: IndexProductDeps,
  contexts: readonly JobContext<unknown>[],
  loaded?: CatalogReads,
): Promise<BatchItemResult[]> {
  const errors: Array<Error | undefined> = new Array(contexts.length).fill(undefined);
  const products = new Map<string, ProductJobs>();
  contexts.forEach((context, i) => {
    const reference = productReferenceOf(context.event);
    if (!reference) {
      errors[i] = new NotAProductEventError('job event has no data.productId / catalogVersion');
      return;
    }
    const entry = products.get(reference.productId) ?? { jobs: [], newest: 0 };
    entry.jobs.push(i);
    entry.newest = Math.max(entry.newest, reference.catalogVersion);
    products.set(reference.productId, entry);
  });
  if (products.size === 0) return throttleOncePerBatch(errors);

  const { settings } = deps;
  const reads = await completeReads(deps, [...products.keys()], loaded);
  const indexedAt = deps.now().toISOString();
  const writes: BulkWrite[] = [];
  const jobsOfWrite: number[][] = [];
  for (const [productId, entry] of products) {
    const read = reads.get(productId) as CatalogRead;
    let versioned: VersionedDocument;
    try {
      if (read.kind === 'failed') throw read.error;
      versioned =
        read.kind === 'found'
          ? documentForRow(parseCatalogItem(read.item), indexedAt)
          : goneTombstone(productId, entry.newest, indexedAt);
    } catch (error) {
      for (const i of entry.jobs) errors[i] = error as Error;
      continue;
    }
    const writers: number[] = [];
    for (const i of entry.jobs) {
      const wanted = productReferenceOf(contexts[i]?.event)?.catalogVersion ?? 0;
      if (wanted > versioned.version) {
        errors[i] = new CatalogRowBehindError(
          `catalog row ${productId} is at version ${versioned.version}, the event at ${wanted}`,
        );
      } else {
        writers.push(i);
      }
    }
    writes.push({
      operation: 'index',
      index: settings.productsAlias,
      id: productId,
      version: versioned.version,
      document: versioned.document,
    });
    jobsOfWrite.push(writers);
  }

  const outcomes = await bulkWrite(deps.search, writes, { maxBytes: settings.bulkMaxBytes });
  outcomes.forEach((outcome, k) => {
    if (outcome.kind !== 'failed') return;
    for (const i of jobsOfWrite[k] ?? []) errors[i] = outcome.error;
  });
  return throttleOncePerBatch(errors);
}
