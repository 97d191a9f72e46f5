/**
 * OpenSearch failures as Sluice error types, in one place: a whole request that failed
 * ({@link classifyOpenSearchError}) and one item of a bulk response ({@link classifyBulkItem}).
 *
 * | status | meaning | type |
 * |---|---|---|
 * | 409 under external versions | the stored document is newer: the write is stale | success (`stale`) |
 * | 409 on `create` | the document exists: a duplicate delivery | success (`exists`) |
 * | 429 (`rejected_execution_exception`, `es_rejected_execution_exception`, `cluster_block_exception`) | push-back | ThrottledError |
 * | 403 `cluster_block_exception` `FORBIDDEN/8/index write (api)` | the write block a reindex puts on the version it replaced: the write resolved the alias before it moved, and lands in the new version on its retry | TransientError |
 * | 403 `cluster_block_exception`, any other block (an operator's read-only block) | the index refuses writes until a person lifts the block | {@link IndexBlockedError} |
 * | 402 `service_quota_exceeded_exception` (Serverless) | capacity | ThrottledError |
 * | 404 `index_not_found_exception` | the alias is not set up yet | TransientError |
 * | 408, 5xx, timeouts, connection errors | | TransientError |
 * | 413 on a request of several documents | too large: a smaller chunk fits | ThrottledError |
 * | 400 and other 4xx | the document itself is wrong (mapping, id) | {@link DocumentRejectedError} |
 */
import { errors } from '@opensearch-project/opensearch';
import { isTransientStatus } from '../../shared/aws-errors';
import { PermanentError, TransientError } from '../../shared/errors';
import { ThrottledError } from '../../shared/throttling';

/** The dead-letter reason (and metric dimension) of a document OpenSearch refused. */
export const DOCUMENT_REJECTED = 'DOCUMENT_REJECTED';

/**
 * OpenSearch refused a document for what it is (HTTP 400 and other 4xx): a mapping conflict,
 * an unparsable date, an invalid id. Retrying cannot help; the job is dead-lettered with
 * reason `DOCUMENT_REJECTED` and the OpenSearch error type in the message.
 */
export class DocumentRejectedError extends PermanentError {
  override name = 'DocumentRejectedError';
  readonly reason = DOCUMENT_REJECTED;
  constructor(
    message: string,
    /** OpenSearch's error type, e.g. `mapper_parsing_exception`. */
    readonly errorType: string | undefined,
    readonly status: number,
  ) {
    super(message);
  }
}

/** The dead-letter reason (and metric dimension) of a write to an index an operator blocked. */
export const INDEX_BLOCKED = 'INDEX_BLOCKED';

/**
 * The index refuses writes with a block a person set (e.g. `index.blocks.read_only`, 403
 * `FORBIDDEN/5/index read-only (api)`): retries cannot help until it is lifted. The job is
 * dead-lettered with reason `INDEX_BLOCKED` and OpenSearch's reason, for a redrive once the
 * block is gone. (Disk-full flood-stage blocks answer 429 and are push-back instead.)
 */
export class IndexBlockedError extends PermanentError {
  override name = 'IndexBlockedError';
  readonly reason = INDEX_BLOCKED;
}

/** The error part of a bulk response item, or of a failed request's body. */
export interface OpenSearchErrorCause {
  readonly type?: string;
  readonly reason?: string | null;
}

/** How one bulk item ended. */
export type BulkItemOutcome =
  /** Created or overwritten. */
  | { readonly kind: 'written' }
  /** 409 under external versions: a newer version is stored; nothing to do. */
  | { readonly kind: 'stale' }
  /** 409 on create: the document is already there (a duplicate delivery). */
  | { readonly kind: 'exists' }
  | { readonly kind: 'failed'; readonly error: Error };

/**
 * The outcome of one bulk item from its operation, status and error.
 *
 * @example
 * ```ts
 * classifyBulkItem('index', 409, { type: 'version_conflict_engine_exception' }, 'product p-1');
 * // { kind: 'stale' }
 * ```
 */
export function classifyBulkItem(
  operation: 'index' | 'create',
  status: number,
  cause: OpenSearchErrorCause | undefined,
  context: string,
): BulkItemOutcome {
  if (status >= 200 && status < 300) return { kind: 'written' };
  if (status === 409) return { kind: operation === 'create' ? 'exists' : 'stale' };
  return { kind: 'failed', error: errorForStatus(status, cause, context, false) };
}

/**
 * The Sluice error for an OpenSearch client failure: by status for responses, transient for
 * connection problems and timeouts, permanent for bodies that cannot be serialised.
 * `manyDocuments` says whether the request carried several documents (a 413 then means
 * "send fewer", not "this document is too large").
 *
 * @example
 * ```ts
 * try { await client.bulk({ body }); } catch (error) { throw classifyOpenSearchError(error, 'bulk', true); }
 * ```
 */
export function classifyOpenSearchError(
  error: unknown,
  context: string,
  manyDocuments = false,
): Error {
  if (error instanceof errors.ResponseError) {
    const body = error.body as { error?: OpenSearchErrorCause | string } | undefined;
    const cause = typeof body?.error === 'object' ? body.error : undefined;
    return errorForStatus(error.statusCode ?? 500, cause, context, manyDocuments, {
      cause: error,
      retryAfterSeconds: retryAfterSeconds(error.meta?.headers),
    });
  }
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (error instanceof errors.SerializationError || error instanceof errors.ConfigurationError) {
    return new PermanentError(`${context}: ${detail}`, { cause: error });
  }
  return new TransientError(`${context}: ${detail}`, { cause: error });
}

function errorForStatus(
  status: number,
  cause: OpenSearchErrorCause | undefined,
  context: string,
  manyDocuments: boolean,
  options?: { cause?: unknown; retryAfterSeconds?: number },
): Error {
  const type = cause?.type;
  const message = `${context}: HTTP ${status}${type ? ` ${type}` : ''}${cause?.reason ? `: ${cause.reason}` : ''}`;
  if (status === 403 && type === 'cluster_block_exception') {
    // Not the document's fault either way; only a reindex's write block clears by itself.
    return isReindexWriteBlock(cause?.reason)
      ? new TransientError(message, options)
      : new IndexBlockedError(message, options);
  }
  if (status === 429 || status === 402 || (status === 413 && manyDocuments)) {
    return new ThrottledError(message, options);
  }
  // Writes go through aliases with require_alias: a missing alias is set-up, not the data.
  if (isTransientStatus(status) || (status === 404 && type === 'index_not_found_exception')) {
    return new TransientError(message, options);
  }
  return new DocumentRejectedError(message, type, status);
}

/**
 * `index [x] blocked by: [FORBIDDEN/8/index write (api)];`: `index.blocks.write` and no other
 * block (a reason may list several: `[FORBIDDEN/5/index read-only (api), FORBIDDEN/8/…]`).
 * The same block set by hand on the live write index is retried too, until its attempts run
 * out: the response does not say who set it.
 */
function isReindexWriteBlock(reason: string | null | undefined): boolean {
  if (typeof reason !== 'string') return false;
  const blocks = reason.match(/\b[A-Z_]+\/\d+\//g) ?? [];
  return blocks.length > 0 && blocks.every((block) => block === 'FORBIDDEN/8/');
}

function retryAfterSeconds(
  headers: Record<string, unknown> | null | undefined,
): number | undefined {
  const raw = headers?.['retry-after'];
  const seconds = typeof raw === 'string' ? Number(raw) : Number.NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}
