/**
 * When a job becomes visible again: exponential backoff with full jitter over the job's
 * settings, in whole seconds, always below SQS's 12-hour visibility cap.
 *
 * @example
 * ```ts
 * retryDelaySeconds({ baseSeconds: 10, capSeconds: 900 }, 3); // random in [0, 40)
 * ```
 */
import { backoffCeiling } from '../../shared/backoff';
import { type JobBackoff, SQS_MAX_VISIBILITY_SECONDS } from '../job-definition';

/** The ceiling before jitter after failed attempt number `attempt` (1-based). */
export function retryCeilingSeconds(backoff: JobBackoff, attempt: number): number {
  return backoffCeiling({ baseMs: backoff.baseSeconds, capMs: backoff.capSeconds }, attempt);
}

/**
 * The visibility delay after failed attempt `attempt`: uniform in [0, ceiling), raised to
 * the target's own Retry-After hint when it gave one.
 */
export function retryDelaySeconds(
  backoff: JobBackoff,
  attempt: number,
  random: () => number = Math.random,
  retryAfterSeconds = 0,
): number {
  const jittered = Math.floor(random() * retryCeilingSeconds(backoff, attempt));
  return Math.min(SQS_MAX_VISIBILITY_SECONDS - 1, Math.max(jittered, Math.ceil(retryAfterSeconds)));
}
