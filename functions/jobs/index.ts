/**
 * The job author's API — the only module a job's own files import from the job runtime.
 *
 * A job is a folder `functions/workers/<job>/`: `job.ts` declares it with
 * {@link jobDefinition} (pure data the CDK stacks and the local event-source emulation read), its code
 * implements {@link JobCode} or {@link BatchJobCode}, and `handler.ts` joins them with
 * {@link defineJob} or {@link defineBatchJob}; `functions/workers/jobs.ts` registers it.
 * `npm run new:job` scaffolds all of it. What a job may return or throw:
 * {@link snooze}, {@link discard}, {@link failed} (batch jobs), {@link PermanentError}
 * (dead-letter now), {@link TransientError} (retry with backoff), {@link ThrottledError}
 * (retry, and ease off the target).
 *
 * @example
 * ```ts
 * // functions/workers/sync-customer/handler.ts, importing this module as '../../jobs'
 * export const handler = defineJob(syncCustomerJob, {
 *   perform: async ({ event }) => {
 *     if (!event) throw new PermanentError('no event');
 *   },
 * });
 * ```
 */
export { PermanentError, TransientError } from '../shared/errors';
export { ThrottledError } from '../shared/throttling';
export {
  type BatchJobCode,
  defineBatchJob,
  defineJob,
  type JobCode,
  type SqsJobHandler,
} from './define-job';
export {
  DEFAULT_JOB_SETTINGS,
  type JobAccess,
  type JobBackoff,
  type JobDefinition,
  type JobSettings,
  jobDefinition,
  type TableAccess,
} from './job-definition';
export {
  type BatchItemResult,
  discard,
  failed,
  type JobResult,
  snooze,
} from './outcomes';
export type { JobContext } from './runtime/run-types';
