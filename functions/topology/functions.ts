/**
 * The functions Sluice deploys, named once: the logical name of each (its physical name is
 * `sluice-<stage>-<name>`, see naming.ts) and the Powertools `service` its logs and metrics
 * carry — which the alarms and dashboards read back, so renaming one renames both sides.
 */
import { type JobName, jobQueues } from './topology';

export interface SluiceFunctionName {
  /** Logical name: the physical one is `resourceName(stage, name)`. */
  readonly name: string;
  /** Powertools service name: the `Service` dimension of the function's metrics. */
  readonly service: string;
}

/** The router: MSK records in, jobs and dead letters out. */
export const ROUTER_FUNCTION: SluiceFunctionName = { name: 'router', service: 'sluice-router' };

/** The replay function: the replay queue (the ingest DLQ's redrive target) in. */
export const REPLAY_FUNCTION: SluiceFunctionName = { name: 'replay', service: 'sluice-replay' };

/**
 * A job's worker function, named after its queue.
 *
 * @example
 * ```ts
 * jobFunction('audit'); // { name: 'job-audit', service: 'sluice-job-audit' }
 * ```
 */
export function jobFunction(job: JobName): SluiceFunctionName {
  return { name: jobQueues(job).queue, service: `sluice-job-${job}` };
}
