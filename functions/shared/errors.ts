/**
 * The error hierarchy shared by the router and the job runtime.
 *
 * Whether a failure is worth retrying is decided by the error's type, never by
 * matching strings at the call site: {@link TransientError} means "the same input
 * may succeed later" (throttling, 5xx, timeouts), {@link PermanentError} means
 * "the same input will fail the same way until code or data change" (bad bytes,
 * schema violations, unknown event types).
 *
 * @example
 * ```ts
 * try {
 *   await send();
 * } catch (error) {
 *   if (isTransient(error)) retryLater();
 *   else deadLetter(error);
 * }
 * ```
 */
export abstract class SluiceError extends Error {
  // Literal names, not the class's own: the deployed bundle is minified and would rename it.
  override name = 'SluiceError';
  /** Whether the operation may succeed if retried unchanged. */
  abstract readonly transient: boolean;
}

/** A failure that may go away by itself: retry with backoff. */
export class TransientError extends SluiceError {
  override name = 'TransientError';
  readonly transient = true;
}

/** A failure inherent to the input: do not retry, dead-letter it with its reason. */
export class PermanentError extends SluiceError {
  override name = 'PermanentError';
  readonly transient = false;
}

/** Why a Kafka record could not become an event. Each reason is a metric dimension. */
export type RecordFailureReason =
  | 'NOT_DECODABLE'
  | 'NOT_JSON'
  | 'INVALID_ENVELOPE'
  | 'UNKNOWN_TYPE'
  | 'UNKNOWN_VERSION'
  | 'SCHEMA_VIOLATION'
  | 'UPCAST_FAILED'
  | 'JOB_REJECTED'
  | 'NOT_A_DEAD_LETTER';

/**
 * A record that can never be routed as it is. Carries the reason and, where a schema
 * rejected it, the JSON Pointer of the first failing value (e.g. `/data/lines/0/quantity`).
 */
export class RecordRejectedError extends PermanentError {
  override name = 'RecordRejectedError';
  constructor(
    readonly reason: RecordFailureReason,
    message: string,
    readonly path?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True for errors that should be retried: our transient type, or anything unclassified. */
export function isTransient(error: unknown): boolean {
  if (error instanceof SluiceError) return error.transient;
  return true; // Unclassified errors are retried: losing work is worse than a retry.
}

/** A short, safe description of any thrown value for logs and dead-letter records. */
export function describeError(error: unknown): { class: string; message: string } {
  if (error instanceof Error) return { class: error.name, message: error.message };
  return { class: typeof error, message: String(error) };
}
