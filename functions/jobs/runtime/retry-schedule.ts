/**
 * When a job becomes visible again: exponential backoff with jitter over the job's settings,
 * in whole seconds, always below SQS's 12-hour visibility cap. Equal jitter (uniform in the
 * upper half below the ceiling) by default: a job's attempts must outlast a target that is
 * restarting, and full jitter can draw near-zero delays several times in a row — a chaos run
 * with OpenSearch down for about a minute dead-lettered six detect-login-abuse jobs whose
 * five attempts all fell inside the outage. The upper half still spreads the retries of jobs
 * that failed together. Mature job frameworks keep such a floor too (Sidekiq, Oban).
 *
 * @example
 * ```ts
 * retryDelaySeconds({ baseSeconds: 10, capSeconds: 900 }, 3); // random in [20, 40)
 * ```
 */
import { backoffCeiling } from '../../shared/backoff';
import { type JobBackoff, MAX_RETRY_DELAY_SECONDS } from '../job-definition';

/** The ceiling before jitter after failed attempt number `attempt` (1-based). */
export function retryCeilingSeconds(backoff: JobBackoff, attempt: number): number {
  return backoffCeiling({ baseMs: backoff.baseSeconds, capMs: backoff.capSeconds }, attempt);
}

/**
 * The visibility delay after failed attempt `attempt`: uniform in [ceiling / 2, ceiling)
 * (full jitter: [0, ceiling)), raised to the target's own Retry-After hint when it gave one.
 */
export function retryDelaySeconds(
  backoff: JobBackoff,
  attempt: number,
  random: () => number = Math.random,
  retryAfterSeconds = 0,
): number {
  const ceiling = retryCeilingSeconds(backoff, attempt);
  const floor = backoff.jitter === 'full' ? 0 : ceiling / 2;
  const jittered = Math.floor(floor + random() * (ceiling - floor));
  return Math.min(MAX_RETRY_DELAY_SECONDS, Math.max(jittered, Math.ceil(retryAfterSeconds)));
}

/**
 * The least time a job's attempts span: the lower bounds of its retry delays, summed. A
 * target down for less than this cannot exhaust the job's attempts.
 *
 * @example
 * ```ts
 * shortestRetrySpanSeconds({ maxAttempts: 3, backoff: { baseSeconds: 10, capSeconds: 900 } }); // 15
 * ```
 */
export function shortestRetrySpanSeconds(settings: {
  readonly maxAttempts: number;
  readonly backoff: JobBackoff;
}): number {
  if (settings.backoff.jitter === 'full') return 0;
  let total = 0;
  for (let attempt = 1; attempt < settings.maxAttempts; attempt++) {
    total += Math.floor(retryCeilingSeconds(settings.backoff, attempt) / 2);
  }
  return total;
}
