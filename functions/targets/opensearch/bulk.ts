/**
 * Bulk writes with per-item outcomes. The ndjson body is built once (here, or ahead of time
 * by prepareBulkWrite), so its size is known: writes are split into requests of at most
 * `maxBytes` (a domain refuses larger ones with 413), sent one after the other. Every write
 * gets an outcome in input order — an item a failed request never reached fails with that
 * request's error — and nothing is thrown.
 */
import type { Client, Types } from '@opensearch-project/opensearch';
import { type Env, integer } from '../../shared/env';
import { TransientError } from '../../shared/errors';
import { ThrottledError } from '../../shared/throttling';
import { isServerlessClient } from './client';
import { type BulkItemOutcome, classifyBulkItem, classifyOpenSearchError } from './errors';

/** One document to write. */
export interface BulkWrite {
  /** `index` creates or replaces; `create` only creates (an existing id answers 409). */
  readonly operation: 'index' | 'create';
  /** The alias (or index) to write to; writes require an alias unless `requireAlias` is off. */
  readonly index: string;
  readonly id: string;
  /**
   * An external version (`version_type: external_gte`): a write older than the stored
   * document answers 409 and changes nothing, so replays and reordering are harmless.
   */
  readonly version?: number;
  /** `external_gte` (default) also accepts an equal version; `external` needs a newer one. */
  readonly versionType?: 'external' | 'external_gte';
  readonly document: object;
}

export interface BulkOptions {
  /** Largest request body; more writes go into further requests. */
  readonly maxBytes: number;
  /**
   * Fail writes to a name that is not an alias instead of auto-creating an index under it
   * (which would block the real alias for good). Default true.
   */
  readonly requireAlias?: boolean;
  /** `wait_for` makes the writes searchable before the call returns (tests, benchmarks). */
  readonly refresh?: 'wait_for' | 'true' | 'false';
}

/** Five MiB: well inside every domain's limit (10 MiB on the smallest instance types). */
export const DEFAULT_BULK_MAX_BYTES = 5 * 1024 * 1024;

/** `SLUICE_BULK_MAX_BYTES`: the largest bulk request body a worker sends (64 KiB – 100 MiB). */
export function bulkMaxBytesFrom(env: Env): number {
  return integer(
    env,
    'SLUICE_BULK_MAX_BYTES',
    DEFAULT_BULK_MAX_BYTES,
    64 * 1024,
    100 * 1024 * 1024,
  );
}

/** The ndjson lines of one write: action and document, each ending in a newline. */
export function bulkLines(write: BulkWrite): string {
  const meta: Record<string, unknown> = { _index: write.index, _id: write.id };
  if (write.version !== undefined) {
    meta.version = write.version;
    meta.version_type = write.versionType ?? 'external_gte';
  }
  return `${JSON.stringify({ [write.operation]: meta })}\n${JSON.stringify(write.document)}\n`;
}

/** A write with its ndjson lines already built (see {@link prepareBulkWrite}). */
export interface PreparedBulkWrite extends BulkWrite {
  readonly lines: string;
  readonly bytes: number;
}

// The writes prepareBulkWrite returned, by identity: a copy made with other fields (a spread)
// is not among them, and has its lines built again rather than sent stale.
const prepared = new WeakSet<BulkWrite>();

/**
 * Builds a write's lines ahead of {@link bulkWrite}, e.g. while an earlier request is in
 * flight, so that sending it costs no serialisation. The write must not change afterwards.
 *
 * @example
 * ```ts
 * const write = prepareBulkWrite({
 *   operation: 'index', index: 'sluice-dev-products', id: 'p-1', document,
 * });
 * await bulkWrite(client, [write], { maxBytes: DEFAULT_BULK_MAX_BYTES });
 * ```
 */
export function prepareBulkWrite(write: BulkWrite): PreparedBulkWrite {
  const lines = bulkLines(write);
  // Built field by field: an object spread costs more than the lines themselves.
  const { operation, index, id, version, versionType, document } = write;
  const bytes = Buffer.byteLength(lines);
  const result = { operation, index, id, version, versionType, document, lines, bytes };
  prepared.add(result);
  return result;
}

/**
 * Writes `writes` in as few bulk requests as `maxBytes` allows and returns one outcome per
 * write, in order. A request that fails as a whole fails each of its writes with the
 * classified error; after a throttled request the remaining ones are not sent.
 *
 * @example
 * ```ts
 * const outcomes = await bulkWrite(client, [
 *   { operation: 'index', index: 'sluice-dev-products', id: 'p-1', version: 7, document },
 * ], { maxBytes: DEFAULT_BULK_MAX_BYTES });
 * // [{ kind: 'written' }] or [{ kind: 'stale' }] or [{ kind: 'failed', error }]
 * ```
 */
export async function bulkWrite(
  client: Client,
  writes: readonly BulkWrite[],
  options: BulkOptions,
): Promise<BulkItemOutcome[]> {
  const outcomes: BulkItemOutcome[] = new Array(writes.length);
  const requests = packRequests(writes, options.maxBytes);
  let stopped: Error | undefined;
  for (const request of requests) {
    if (stopped) {
      const error = new TransientError(`bulk write not sent: ${stopped.message}`, {
        cause: stopped,
      });
      for (const i of request.indexes) outcomes[i] = { kind: 'failed', error };
      continue;
    }
    const results = await sendRequest(client, writes, request, options);
    request.indexes.forEach((writeIndex, k) => {
      outcomes[writeIndex] = results[k] as BulkItemOutcome;
    });
    const throttled = results.find((r) => r.kind === 'failed' && r.error instanceof ThrottledError);
    if (throttled?.kind === 'failed') stopped = throttled.error;
  }
  return outcomes;
}

interface PackedRequest {
  readonly indexes: number[];
  body: string;
  bytes: number;
}

/** Groups writes into bodies of at most `maxBytes` (a single larger write goes alone). */
function packRequests(writes: readonly BulkWrite[], maxBytes: number): PackedRequest[] {
  const requests: PackedRequest[] = [];
  let current: PackedRequest | undefined;
  writes.forEach((write, i) => {
    const { lines, bytes } = prepared.has(write)
      ? (write as PreparedBulkWrite)
      : prepareBulkWrite(write);
    if (!current || (current.indexes.length > 0 && current.bytes + bytes > maxBytes)) {
      current = { indexes: [], body: '', bytes: 0 };
      requests.push(current);
    }
    current.indexes.push(i);
    current.body += lines;
    current.bytes += bytes;
  });
  return requests;
}

/**
 * What a bulk response is asked to hold: each item's status and error, which is all that is
 * read of it (`filter_path`, a common REST parameter). Without it each item also carries its
 * index, id, version, result, shards, sequence number and term — about eight times the bytes,
 * for the node to write and the worker to parse.
 */
export const BULK_RESPONSE_FIELDS = 'items.*.status,items.*.error';

async function sendRequest(
  client: Client,
  writes: readonly BulkWrite[],
  request: PackedRequest,
  options: BulkOptions,
): Promise<BulkItemOutcome[]> {
  const querystring: Record<string, string> = {
    require_alias: String(options.requireAlias ?? true),
  };
  if (!isServerlessClient(client)) querystring.filter_path = BULK_RESPONSE_FIELDS;
  if (options.refresh) querystring.refresh = options.refresh;
  let body: Types.Core_Bulk.BulkResponse;
  try {
    const response = await client.transport.request({
      method: 'POST',
      path: '/_bulk',
      querystring,
      bulkBody: request.body,
    });
    body = response.body as Types.Core_Bulk.BulkResponse;
  } catch (error) {
    const many = request.indexes.length > 1;
    const failure = classifyOpenSearchError(
      error,
      `bulk of ${request.indexes.length} (${request.bytes} bytes)`,
      many,
    );
    return request.indexes.map(() => ({ kind: 'failed', error: failure }));
  }
  return request.indexes.map((writeIndex, k): BulkItemOutcome => {
    const write = writes[writeIndex] as BulkWrite;
    const item = body.items?.[k]?.[write.operation];
    if (!item) {
      const error = new TransientError(`bulk response has no item ${k} for ${write.id}`);
      return { kind: 'failed', error };
    }
    return classifyBulkItem(
      write.operation,
      item.status,
      item.error ?? undefined,
      `${write.operation} ${write.id} into ${write.index}`,
    );
  });
}
