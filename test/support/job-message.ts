/**
 * Job messages as the router enqueues them, for tests that put work on a job queue
 * themselves: the job id derived from the event as the router derives it, the provenance the
 * test names (the rest of it zero), the enqueue time and router version given or now and
 * `integration`.
 */
import { type JobMessage, jobIdOf, type Provenance } from '../../functions/queues/job-message';

export interface RoutedAs {
  /** Where the event was read; unset fields are partition 0, offset 0, timestamp 0, no key. */
  readonly provenance?: Partial<Provenance>;
  /** Defaults to now. */
  readonly enqueuedAt?: string;
  /** Defaults to `integration`. */
  readonly routerVersion?: string;
}

/**
 * A job message for `job` about `event`.
 *
 * @example
 * ```ts
 * const message = routedJobMessage('audit', event, { provenance: { topic: 'orders.events' } });
 * ```
 */
export function routedJobMessage<TEvent extends { readonly id: string; readonly source: string }>(
  job: string,
  event: TEvent,
  as: RoutedAs = {},
): JobMessage<TEvent> {
  return {
    kind: 'sluice.job',
    v: 1,
    jobId: jobIdOf(event.source, event.id, job),
    job,
    enqueuedAt: as.enqueuedAt ?? new Date().toISOString(),
    routerVersion: as.routerVersion ?? 'integration',
    provenance: {
      topic: 'catalog.events',
      partition: 0,
      offset: 0,
      timestamp: 0,
      key: null,
      ...as.provenance,
    },
    event,
  };
}
