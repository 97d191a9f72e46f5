/**
 * What a job may return instead of plain success: snooze (try later, not a failure) or
 * discard (drop it deliberately, with a reason). Failures are thrown: TransientError (or
 * anything unclassified) retries, PermanentError dead-letters at once.
 *
 * @example
 * ```ts
 * perform: async ({ event }) => {
 *   if (!ready(event)) return snooze(60);
 *   if (obsolete(event)) return discard('superseded');
 *   await write(event);
 * }
 * ```
 */
import { TransientError } from '../shared/errors';
import { SQS_MAX_DELAY_SECONDS } from './job-definition';

/**
 * A job (or a chunk) still running when the invocation had to stop to settle in time: a
 * failed attempt, counted and retried after a backoff. Its idempotency claim is kept until
 * its lease ends, as the job may still be running.
 */
export class JobTimedOutError extends TransientError {
  override name = 'JobTimedOutError';
}

export type JobResult =
  | { readonly kind: 'snooze'; readonly delaySeconds: number }
  | { readonly kind: 'discard'; readonly reason: string };

/** Run this job again after `seconds` (at most SQS's 900-second delay), attempts unchanged. */
export function snooze(seconds: number): JobResult {
  const delaySeconds = Math.min(SQS_MAX_DELAY_SECONDS, Math.max(0, Math.ceil(seconds)));
  return { kind: 'snooze', delaySeconds };
}

/** Drop this job on purpose; `reason` is logged, recorded and counted. */
export function discard(reason: string): JobResult {
  return { kind: 'discard', reason };
}

/** A batch job's verdict on one job: success (undefined), a JobResult, or a failure. */
export type BatchItemResult =
  | undefined
  | JobResult
  | { readonly kind: 'failed'; readonly error: unknown };

/** Marks one job of a batch as failed with `error` (classified like a thrown error). */
export function failed(error: unknown): BatchItemResult {
  return { kind: 'failed', error };
}
