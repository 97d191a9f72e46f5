/**
 * The entry points of the job runtime: `defineJob` and `defineBatchJob` turn a job's
 * definition and its code into a Lambda SQS handler (SQSEvent in, SQSBatchResponse out,
 * for an event source mapping with ReportBatchItemFailures). Dependencies are built when
 * they are called — at module scope of the job's handler.ts — and reused by every invocation.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { JobDefinition } from './job-definition';
import type { BatchItemResult, JobResult } from './outcomes';
import { batchExecutor, batchLoader, singleExecutor } from './runtime/executors';
import { createJobDeps, type JobDeps } from './runtime/job-deps';
import { runJobBatch } from './runtime/run-batch';
import type { JobContext } from './runtime/run-types';

/** A job's Lambda handler; Lambda's context tells the runtime how much time is left. */
export type SqsJobHandler = (
  event: SQSEvent,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
) => Promise<SQSBatchResponse>;

export interface JobCode<TEvent> {
  /**
   * Runs one job. Return nothing for success, `snooze(s)` or `discard(reason)`; throw a
   * PermanentError to dead-letter at once, anything else to retry with backoff.
   */
  perform(context: JobContext<TEvent>): Promise<JobResult | undefined> | Promise<void>;
}

export interface BatchJobCode<TEvent, TLoaded = never> {
  /**
   * Optional: reads what a chunk of jobs needs, from their events, and may prepare the
   * chunk's writes from it (CPU work done here overlaps the previous chunk's request) — no
   * effects, since the runtime may drop what it loaded (when the target throttles first). It
   * runs while the chunk's deliveries are prepared and while the previous chunk runs.
   * Throwing fails the chunk's jobs as a throw from performBatch would.
   * Events of deliveries settled before running (duplicates, dead letters) may be included;
   * a job may be missing (a redriven claim-checked dead letter is only read in prepare).
   */
  load?(events: readonly TEvent[]): Promise<TLoaded>;
  /**
   * Runs a chunk of jobs; returns one result per job, in order (`undefined` = success).
   * `loaded` is what `load` returned for this chunk (absent without `load`).
   */
  performBatch(
    contexts: readonly JobContext<TEvent>[],
    loaded?: TLoaded,
  ): Promise<readonly BatchItemResult[]>;
}

/**
 * @example
 * ```ts
 * // functions/workers/detect-login-abuse/handler.ts: one job at a time (batch: false)
 * export const handler = defineJob(detectLoginAbuseJob, {
 *   perform: async ({ jobId, event }) => {
 *     await detectLoginAbuse(deps, event, jobId);
 *   },
 * });
 * ```
 */
export function defineJob<TEvent = unknown>(
  definition: JobDefinition,
  code: JobCode<TEvent>,
  deps?: JobDeps,
): SqsJobHandler {
  if (definition.batch) {
    throw new Error(`Job "${definition.name}" is batch-aware: use defineBatchJob`);
  }
  const ready = deps ?? createJobDeps(process.env, definition);
  const execute = singleExecutor(code.perform);
  return (event, context) =>
    runJobBatch(
      event,
      ready,
      execute,
      undefined,
      context ? () => context.getRemainingTimeInMillis() : undefined,
    );
}

/**
 * @example
 * ```ts
 * export const handler = defineBatchJob(indexProductJob, {
 *   load: (events) => readRows(events), // optional: reads only, overlapped with writes
 *   performBatch: async (jobs, rows) => bulkIndex(jobs, rows), // one result per job
 * });
 * ```
 */
export function defineBatchJob<TEvent = unknown, TLoaded = never>(
  definition: JobDefinition,
  code: BatchJobCode<TEvent, TLoaded>,
  deps?: JobDeps,
): SqsJobHandler {
  if (!definition.batch) {
    throw new Error(`Job "${definition.name}" is not batch-aware: use defineJob`);
  }
  const ready = deps ?? createJobDeps(process.env, definition);
  const execute = batchExecutor((contexts: readonly JobContext<TEvent>[], loaded?: TLoaded) =>
    code.performBatch(contexts, loaded),
  );
  const { load } = code;
  const loader = load && batchLoader((events: readonly TEvent[]) => load.call(code, events));
  return (event, context) =>
    runJobBatch(
      event,
      ready,
      execute,
      loader,
      context ? () => context.getRemainingTimeInMillis() : undefined,
    );
}
