/**
 * Reads catalog rows for a batch with BatchGetItem: at most 100 keys per call (chunks run
 * side by side), consistent reads (an event says the row has reached its version; an
 * eventually consistent read could return the one before and index it for good), and
 * UnprocessedKeys retried with full-jitter backoff a bounded number of rounds. Keys still
 * unprocessed after that fail with a ThrottledError — the table is pushing back — so
 * their jobs retry later and the job runtime sends smaller batches.
 */
import { BatchGetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type BackoffPolicy, fullJitterDelay, sleep as realSleep } from '../../shared/backoff';
import type { Item } from '../../shared/dynamo-attributes';
import { classifyAwsErrorWithThrottling, ThrottledError } from '../../shared/throttling';
import { TABLES } from '../../topology/topology';

/** BatchGetItem's limit of keys per call. */
export const BATCH_GET_MAX_KEYS = 100;

export type CatalogRead =
  | { readonly kind: 'found'; readonly item: Item }
  /** No row: the product was deleted (or never existed). */
  | { readonly kind: 'missing' }
  | { readonly kind: 'failed'; readonly error: Error };

export interface CatalogReadOptions {
  readonly table: string;
  /** Rounds per chunk: the first call plus retries of UnprocessedKeys. */
  readonly attempts: number;
  readonly backoff: BackoffPolicy;
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const KEY = TABLES.catalog.partitionKey;

/**
 * One read per distinct product id.
 *
 * @example
 * ```ts
 * const reads = await readCatalogRows(dynamodb, ['p-1', 'p-2'], {
 *   table: 'sluice-dev-catalog', attempts: 5, backoff: { baseMs: 50, capMs: 1000 },
 * });
 * reads.get('p-1'); // { kind: 'found', item } | { kind: 'missing' } | { kind: 'failed', error }
 * ```
 */
export async function readCatalogRows(
  dynamodb: DynamoDBClient,
  productIds: readonly string[],
  options: CatalogReadOptions,
): Promise<Map<string, CatalogRead>> {
  const unique = [...new Set(productIds)];
  const reads = new Map<string, CatalogRead>();
  const chunks: string[][] = [];
  for (let i = 0; i < unique.length; i += BATCH_GET_MAX_KEYS) {
    chunks.push(unique.slice(i, i + BATCH_GET_MAX_KEYS));
  }
  await Promise.all(chunks.map((chunk) => readChunk(dynamodb, chunk, options, reads)));
  for (const id of unique) if (!reads.has(id)) reads.set(id, { kind: 'missing' });
  return reads;
}

async function readChunk(
  dynamodb: DynamoDBClient,
  ids: readonly string[],
  options: CatalogReadOptions,
  reads: Map<string, CatalogRead>,
): Promise<void> {
  const sleep = options.sleep ?? realSleep;
  let pending: Item[] = ids.map((id) => ({ [KEY]: { S: id } }));
  for (let round = 1; pending.length > 0; round++) {
    if (round > options.attempts) {
      const error = new ThrottledError(
        `catalog rows unprocessed after ${options.attempts} BatchGetItem rounds (${options.table})`,
      );
      for (const key of pending) reads.set(key[KEY]?.S as string, { kind: 'failed', error });
      return;
    }
    if (round > 1) await sleep(fullJitterDelay(options.backoff, round - 1, options.random));
    try {
      const response = await dynamodb.send(
        new BatchGetItemCommand({
          RequestItems: { [options.table]: { Keys: pending, ConsistentRead: true } },
        }),
      );
      for (const item of response.Responses?.[options.table] ?? []) {
        const id = item[KEY]?.S;
        if (id !== undefined) reads.set(id, { kind: 'found', item });
      }
      pending = (response.UnprocessedKeys?.[options.table]?.Keys ?? []) as Item[];
    } catch (error) {
      // The SDK has already retried what it retries; these jobs fail and retry later.
      const failure = classifyAwsErrorWithThrottling(
        error,
        `BatchGetItem ${pending.length} keys from ${options.table}`,
      );
      for (const key of pending)
        reads.set(key[KEY]?.S as string, { kind: 'failed', error: failure });
      return;
    }
  }
}
