import type { JobDefinition } from '../../functions/jobs/job-definition';

/**
 * The job with full jitter, so that with a runtime whose random source returns 0 a failed
 * attempt is visible again at once: integration tests run retries back to back this way.
 * (The default equal jitter never draws below half the ceiling.)
 *
 * @example
 * ```ts
 * const deps = jobDepsFrom(immediateRetries(auditJob), config, { sqs, dynamodb, random: () => 0 });
 * ```
 */
export function immediateRetries<N extends string>(definition: JobDefinition<N>): JobDefinition<N> {
  const { settings } = definition;
  return {
    ...definition,
    settings: { ...settings, backoff: { ...settings.backoff, jitter: 'full' } },
  };
}
