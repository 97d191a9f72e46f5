/**
 * OpenSearch failures as Sluice error types, in one place: a whole request that failed
 * ({@link classifyOpenSearchError}) and one item of a bulk response ({@link classifyBulkItem}).
 *
 * | status | meaning | type |
 * |---|---|---|
 * | 409 under external versions | the stored document is newer: the write is stale | success (`stale`) |
 * | 409 on `create` | the document exists: a duplicate delivery | success (`exists`) |
 * | 429 (`rejected_execution_exception`, `es_rejected_execution_exception`, `cluster_block_exception`) | push-back | ThrottledError |
 * | 403 `cluster_block_exception` (a write block: an index being replaced by a reindex, or disk full) | push-back | ThrottledError |
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
  // A blocked index (403) is not the document's fault: the write goes through once the alias
  // points at a writable index or disk is freed.
  const blocked = status === 403 && type === 'cluster_block_exception';
  if (status === 429 || status === 402 || blocked || (status === 413 && manyDocuments)) {
    return new ThrottledError(message, options);
  }
  // Writes go through aliases with require_alias: a missing alias is set-up, not the data.
  if (isTransientStatus(status) || (status === 404 && type === 'index_not_found_exception')) {
    return new TransientError(message, options);
  }
  return new DocumentRejectedError(message, type, status);
}

function retryAfterSeconds(
  headers: Record<string, unknown> | null | undefined,
): number | undefined {
  const raw = headers?.['retry-after'];
  const seconds = typeof raw === 'string' ? Number(raw) : Number.NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}
