/**
 * Throttling as a type: the target pushed back (HTTP 429, SDK throttling, OpenSearch
 * `rejected_execution_exception`). The job runtime reacts to it beyond a plain retry: it
 * stops the rest of the batch and lowers its in-flight work. Plus a classifier that maps
 * HTTP statuses to the Sluice error types.
 */
import { AWS_THROTTLING_ERROR_NAMES, isTransientAwsError, isTransientStatus } from './aws-errors';
import { isTransient, PermanentError, TransientError } from './errors';

/**
 * The target is overloaded: retry later, and send less meanwhile.
 *
 * @example
 * ```ts
 * if (response.status === 429) throw new ThrottledError('search rejected the bulk', { retryAfterSeconds: 5 });
 * ```
 */
export class ThrottledError extends TransientError {
  override name = 'ThrottledError';
  /** The target's own hint (Retry-After), in seconds, when it gave one. */
  readonly retryAfterSeconds: number | undefined;

  constructor(message: string, options?: { cause?: unknown; retryAfterSeconds?: number }) {
    super(message, options);
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

/**
 * The Sluice error for an HTTP status: 429 → {@link ThrottledError}; 408, 425 and 5xx →
 * TransientError; other 4xx → PermanentError. Statuses below 400 are not errors; they give
 * a PermanentError too so a caller that got here by mistake does not retry forever.
 *
 * @example
 * ```ts
 * if (!response.ok) throw errorForHttpStatus(response.status, `PUT /products/_doc/${id}`);
 * ```
 */
export function errorForHttpStatus(
  status: number,
  context: string,
  options?: { cause?: unknown; retryAfterSeconds?: number },
): ThrottledError | TransientError | PermanentError {
  const message = `${context}: HTTP ${status}`;
  if (status === 429) return new ThrottledError(message, options);
  if (isTransientStatus(status)) return new TransientError(message, options);
  return new PermanentError(message, options);
}

/**
 * Like `classifyAwsError`, but keeps throttling apart: an SDK throttling error (or HTTP 429)
 * becomes a {@link ThrottledError}, so the job runtime can ease off the target.
 *
 * @example
 * ```ts
 * try { await dynamodb.send(put); } catch (error) { throw classifyAwsErrorWithThrottling(error, 'put commission'); }
 * ```
 */
export function classifyAwsErrorWithThrottling(
  error: unknown,
  context: string,
): ThrottledError | TransientError | PermanentError {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const message = `${context}: ${detail}`;
  const shape = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: string;
    $metadata?: { httpStatusCode?: number };
  };
  if (
    (shape.name !== undefined && AWS_THROTTLING_ERROR_NAMES.has(shape.name)) ||
    shape.$metadata?.httpStatusCode === 429
  ) {
    return new ThrottledError(message, { cause: error });
  }
  return isTransientAwsError(error)
    ? new TransientError(message, { cause: error })
    : new PermanentError(message, { cause: error });
}

/** Throttling first (the caller must ease off), then other transient errors, then the rest. */
function severity(error: unknown): number {
  if (error instanceof ThrottledError) return 0;
  return isTransient(error) ? 1 : 2;
}

/**
 * Of several failures, the one that matters most: throttling before other transient errors
 * before permanent ones (the first of its rank), so the job runtime still sees the push-back.
 *
 * @example
 * ```ts
 * throw worstError([new PermanentError('bad line'), new ThrottledError('slow down')]); // the ThrottledError
 * ```
 */
export function worstError(errors: readonly unknown[]): unknown {
  return [...errors].sort((a, b) => severity(a) - severity(b))[0];
}

/**
 * Waits for every promise, then throws the {@link worstError} of the failures, so work side
 * by side is never cut short by its first failure.
 *
 * @example
 * ```ts
 * const [account, ip] = await allOrWorst([count(accountSubject), count(ipSubject)]);
 * ```
 */
export async function allOrWorst<T>(work: readonly Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(work);
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
  if (failures.length > 0) throw worstError(failures);
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}
