/**
 * index-product's work for one chunk of jobs: the events are triggers, the catalog row is
 * the truth. Per chunk: one BatchGetItem round per 100 distinct products, one bulk request,
 * one result per job. Reading the rows and building the bulk lines is the job's `load`
 * phase, which the job runtime runs for the next chunk while this chunk's bulk request is in
 * flight: sending a chunk costs little more than the request itself.
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
import type { BatchItemResult, BatchJobCode, JobContext } from '../../jobs';
import { PermanentError, TransientError } from '../../shared/errors';
import { throttleOncePerBatch } from '../../targets/opensearch/batch-results';
import { bulkWrite, type PreparedBulkWrite, prepareBulkWrite } from '../../targets/opensearch/bulk';
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

/**
 * What a product's row asks to write — its document or a tombstone at the row's version, with
 * the bulk lines already built — or that the row is gone, or why it cannot be written.
 */
export type ProductPlan =
  | { readonly kind: 'write'; readonly version: number; readonly write: PreparedBulkWrite }
  /** No row: a tombstone at the newest version the running jobs name, built as they run. */
  | { readonly kind: 'gone' }
  | { readonly kind: 'failed'; readonly error: Error };

/** Plans by product id, as {@link planProducts} gives them. */
export type ProductPlans = ReadonlyMap<string, ProductPlan>;

/**
 * @example
 * ```ts
 * export const handler = defineBatchJob(indexProductJob, indexProductCode(deps));
 * ```
 */
export function indexProductCode(deps: IndexProductDeps): BatchJobCode<ProductEvent, ProductPlans> {
  return {
    load: (events) => planProducts(deps, events),
    performBatch: (contexts, plans) => indexProducts(deps, contexts, plans),
  };
}

/**
 * Reads the catalog rows of the products `events` name (events naming none are skipped) and
 * builds their writes: all a chunk needs before its bulk request, done while the chunk
 * before it is written.
 */
export function planProducts(
  deps: IndexProductDeps,
  events: readonly unknown[],
): Promise<Map<string, ProductPlan>> {
  return plan(
    deps,
    events.flatMap((event) => productReferenceOf(event)?.productId ?? []),
  );
}

async function plan(
  deps: IndexProductDeps,
  productIds: readonly string[],
): Promise<Map<string, ProductPlan>> {
  const { settings } = deps;
  const reads = await readCatalogRows(deps.dynamodb, productIds, {
    table: settings.catalogTable,
    attempts: settings.catalogReadAttempts,
    backoff: settings.catalogReadBackoff,
    random: deps.random,
    sleep: deps.sleep,
  });
  const indexedAt = deps.now().toISOString();
  const plans = new Map<string, ProductPlan>();
  for (const [productId, read] of reads) plans.set(productId, planRow(read, settings, indexedAt));
  return plans;
}

function planRow(
  read: CatalogRead,
  settings: IndexProductSettings,
  indexedAt: string,
): ProductPlan {
  if (read.kind === 'failed') return read;
  if (read.kind === 'missing') return { kind: 'gone' };
  try {
    const versioned = documentForRow(parseCatalogItem(read.item), indexedAt);
    return { kind: 'write', version: versioned.version, write: writeOf(versioned, settings) };
  } catch (error) {
    return { kind: 'failed', error: error as Error };
  }
}

function writeOf(versioned: VersionedDocument, settings: IndexProductSettings) {
  return prepareBulkWrite({
    operation: 'index',
    index: settings.productsAlias,
    id: versioned.productId,
    version: versioned.version,
    document: versioned.document,
  });
}

/** `planned` with the products it lacks planned now (all of them without `planned`). */
async function completePlans(
  deps: IndexProductDeps,
  productIds: readonly string[],
  planned: ProductPlans | undefined,
): Promise<ProductPlans> {
  const missing = planned ? productIds.filter((id) => !planned.has(id)) : productIds;
  if (missing.length === 0 && planned) return planned;
  const plans = await plan(deps, missing);
  if (planned) for (const [productId, entry] of planned) plans.set(productId, entry);
  return plans;
}

/**
 * One result per context, in order (`undefined` = success). `planned`: writes built ahead by
 * {@link planProducts}; products it lacks are read and planned here.
 */
export async function indexProducts(
  deps: IndexProductDeps,
  contexts: readonly JobContext<unknown>[],
  planned?: ProductPlans,
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

  const plans = await completePlans(deps, [...products.keys()], planned);
  const writes: PreparedBulkWrite[] = [];
  const jobsOfWrite: number[][] = [];
  for (const [productId, entry] of products) {
    const planOf = plans.get(productId) as ProductPlan;
    if (planOf.kind === 'failed') {
      for (const i of entry.jobs) errors[i] = planOf.error;
      continue;
    }
    // A gone row's tombstone takes the newest version among these jobs: the event reporting
    // the removal carries the highest one, so older replays lose to it.
    const { version, write } =
      planOf.kind === 'write'
        ? planOf
        : {
            version: entry.newest,
            write: writeOf(
              goneTombstone(productId, entry.newest, deps.now().toISOString()),
              deps.settings,
            ),
          };
    const writers: number[] = [];
    for (const i of entry.jobs) {
      const wanted = productReferenceOf(contexts[i]?.event)?.catalogVersion ?? 0;
      if (wanted > version) {
        errors[i] = new CatalogRowBehindError(
          `catalog row ${productId} is at version ${version}, the event at ${wanted}`,
        );
      } else {
        writers.push(i);
      }
    }
    writes.push(write);
    jobsOfWrite.push(writers);
  }

  const outcomes = await bulkWrite(deps.search, writes, {
    maxBytes: deps.settings.bulkMaxBytes,
  });
  outcomes.forEach((outcome, k) => {
    if (outcome.kind !== 'failed') return;
    for (const i of jobsOfWrite[k] ?? []) errors[i] = outcome.error;
  });
  return throttleOncePerBatch(errors);
}
