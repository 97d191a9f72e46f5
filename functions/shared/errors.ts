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
  /** Over a size limit of the event contract (depth, lengths, counts, bytes). */
  | 'LIMIT_EXCEEDED'
  | 'JOB_REJECTED'
  /** Anything unexpected while the record was decoded, validated, upcast or serialised. */
  | 'ROUTER_ERROR'
  | 'NOT_A_DEAD_LETTER'
  /** A replayed claim-check pointer whose S3 object is gone: the pointer is kept. */
  | 'CLAIM_CHECK_MISSING';

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
  try {
    if (error instanceof SluiceError) return error.transient;
  } catch {
    // A Proxy whose getPrototypeOf trap throws: not one of ours.
  }
  return true; // Unclassified errors are retried: losing work is worse than a retry.
}

/** Longest message {@link describeError} returns: thrown text may be arbitrarily large. */
const MAX_DESCRIBED_LENGTH = 4096;

/**
 * A short, safe description of any thrown value for logs and dead-letter records. Total:
 * it never throws, whatever was thrown — an object without a prototype, a Proxy whose traps
 * throw, a symbol, an Error whose `message` getter throws.
 *
 * @example
 * ```ts
 * describeError(new TypeError('x is undefined')); // { class: 'TypeError', message: 'x is undefined' }
 * describeError(Object.create(null)); // { class: 'object', message: '{}' }
 * ```
 */
export function describeError(error: unknown): { class: string; message: string } {
  let described: { class: string; message: string };
  try {
    described =
      error instanceof Error
        ? { class: text(error.name, 'Error'), message: text(error.message, '') }
        : { class: typeof error, message: printable(error) };
  } catch {
    described = { class: safeTypeof(error), message: 'unprintable thrown value' };
  }
  return {
    class: clip(described.class, 256),
    message: clip(described.message, MAX_DESCRIBED_LENGTH),
  };
}

/** A thrown value as text: String(), else JSON, else its tag; each may throw for a hostile value. */
function printable(value: unknown): string {
  for (const attempt of [
    () => String(value),
    () => JSON.stringify(value) ?? '',
    () => Object.prototype.toString.call(value),
  ]) {
    try {
      return attempt();
    } catch {
      // the next way
    }
  }
  return 'unprintable thrown value';
}

function text(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : value === undefined ? fallback : printable(value);
}

function safeTypeof(value: unknown): string {
  return typeof value;
}

function clip(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}
