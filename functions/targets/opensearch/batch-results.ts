/**
 * Turning a batch's failures into job results with backpressure counted once per batch.
 *
 * The job runtime halves its limit (the chunk size of a batch job) for every job that
 * fails with a ThrottledError. One rejected bulk request fails all of its items at once —
 * a hundred ThrottledErrors would shrink the next chunk from 100 to 1, and the additive
 * increase takes thousands of successes to climb back. One push-back from the target is
 * one congestion signal, as in TCP: the first throttled job of a batch keeps its
 * ThrottledError (the halving, the deferral of the rest, the Retry-After); the others are
 * retried with their normal backoff as plain TransientErrors.
 */
import { type BatchItemResult, failed } from '../../jobs';
import { TransientError } from '../../shared/errors';
import { ThrottledError } from '../../shared/throttling';

/**
 * `errors` (undefined = success) as job results, with only the first ThrottledError kept
 * as such.
 *
 * @example
 * ```ts
 * throttleOncePerBatch([undefined, rejected, rejected]);
 * // [undefined, failed(rejected), failed(TransientError('…throttled with its batch…'))]
 * ```
 */
export function throttleOncePerBatch(errors: ReadonlyArray<Error | undefined>): BatchItemResult[] {
  let signalled = false;
  return errors.map((error) => {
    if (error === undefined) return undefined;
    if (!(error instanceof ThrottledError)) return failed(error);
    if (!signalled) {
      signalled = true;
      return failed(error);
    }
    return failed(new ThrottledWithBatchError(error));
  });
}

/** A job throttled together with others of its batch: retried, not counted as a new signal. */
export class ThrottledWithBatchError extends TransientError {
  override name = 'ThrottledWithBatchError';
  constructor(cause: ThrottledError) {
    super(`${cause.message} (throttled with its batch)`, { cause });
  }
}
