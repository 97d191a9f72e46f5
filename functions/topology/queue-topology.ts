/**
 * Every queue Sluice owns, as data: the router's two and a queue with its dead-letter queue
 * for each registered job. Local provisioning and the CLI read it; the CDK stacks build the
 * same queues from the job definitions.
 */
import { JOB_NAMES, JOBS } from '../workers/jobs';
import { REPLAY_SETTINGS } from './queue-settings';
import { jobQueues, ROUTER_QUEUES } from './topology';

/** A queue and, if it has one, the queue its failed messages move to (its RedrivePolicy). */
export interface QueueSpec {
  readonly name: string;
  readonly deadLetterQueue?: string;
  /** SQS's own safety net; the job runtime dead-letters by itself long before this. */
  readonly maxReceiveCount?: number;
}

/**
 * Every queue Sluice owns, dead-letter queues before the queues that use them, so the list
 * can be created in order. The ingest DLQ is the replay queue's DLQ: that is what makes
 * "Start DLQ redrive" (custom destination: the replay queue) work from the console. A job
 * queue's maxReceiveCount is its definition's, as deployed.
 *
 * @example
 * ```ts
 * queueTopology().find((q) => q.name === 'job-audit');
 * // { name: 'job-audit', deadLetterQueue: 'job-audit-dlq', maxReceiveCount: 10 }
 * ```
 */
export function queueTopology(): QueueSpec[] {
  const queues: QueueSpec[] = [
    { name: ROUTER_QUEUES.ingestDlq },
    {
      name: ROUTER_QUEUES.replay,
      deadLetterQueue: ROUTER_QUEUES.ingestDlq,
      maxReceiveCount: REPLAY_SETTINGS.maxReceiveCount,
    },
  ];
  for (const job of JOB_NAMES) {
    const { queue, dlq } = jobQueues(job);
    const { maxReceiveCount } = JOBS[job].settings;
    queues.push({ name: dlq }, { name: queue, deadLetterQueue: dlq, maxReceiveCount });
  }
  return queues;
}
