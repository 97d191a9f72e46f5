/**
 * Runs one SQS batch of a job: prepare each delivery, run the job (one at a time per
 * delivery, or the whole chunk at once for a batch job) under the container's AIMD limit,
 * settle each result, then put failed deliveries back with their backoff
 * (ChangeMessageVisibilityBatch) and report them in batchItemFailures.
 *
 * When a job meets throttling, deliveries not yet started are not attempted: they return
 * with a backoff and no attempt is counted.
 */
import { ChangeMessageVisibilityBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { describeError } from '../shared/errors';
import { readDelivery } from './delivery';
import type { JobDeps } from './job-deps';
import { JobMetrics } from './job-metrics';
import type { BatchItemResult, JobResult } from './outcomes';
import { prepare } from './prepare';
import { retryDelaySeconds } from './retry-schedule';
import type { BatchRun, JobContext, Ready, Settlement } from './run-types';
import { type RunResult, settle } from './settle';

/** Runs a chunk of ready jobs; returns one result per job, in order. */
export type Executor = (ready: readonly Ready[]) => Promise<RunResult[]>;

/** An executor for a job that handles one job at a time. */
export function singleExecutor<E>(
  perform: (context: JobContext<E>) => Promise<JobResult> | Promise<undefined> | Promise<void>,
): Executor {
  return async ([ready]) => {
    if (!ready) return [];
    try {
      const result = await perform(ready.context as JobContext<E>);
      return [(result as JobResult | undefined) ?? { kind: 'success' }];
    } catch (error) {
      return [{ kind: 'failed', error }];
    }
  };
}

/** An executor for a batch-aware job: one call per chunk, one result per job. */
export function batchExecutor<E>(
  performBatch: (contexts: readonly JobContext<E>[]) => Promise<readonly BatchItemResult[]>,
): Executor {
  return async (ready) => {
    try {
      const results = await performBatch(ready.map((r) => r.context as JobContext<E>));
      return ready.map(
        (_, i): RunResult =>
          i < results.length
            ? (results[i] ?? { kind: 'success' })
            : { kind: 'failed', error: new Error(`performBatch returned no result for job ${i}`) },
      );
    } catch (error) {
      return ready.map(() => ({ kind: 'failed', error }));
    }
  };
}

/**
 * @example
 * ```ts
 * const response = await runJobBatch(event, deps, singleExecutor(async ({ event }) => index(event)));
 * ```
 */
export async function runJobBatch(
  event: SQSEvent,
  deps: JobDeps,
  execute: Executor,
): Promise<SQSBatchResponse> {
  const run: BatchRun = {
    deps,
    metrics: new JobMetrics(deps.metricSink),
    throttled: false,
    retryAfterSeconds: 0,
  };
  const deliveries = event.Records.map((record, i) =>
    readDelivery(record, i, deps.definition.name),
  );
  const settlements: Array<Settlement | undefined> = new Array(deliveries.length);
  const chunked = deps.definition.batch;

  // One "unit" is a single delivery, or a chunk of deliveries for a batch job.
  const runUnit = async (indexes: number[]) => {
    const prepared = await Promise.all(
      indexes.flatMap((i) => {
        const delivery = deliveries[i];
        return delivery ? [prepare(run, delivery)] : [];
      }),
    );
    const ready: Ready[] = [];
    prepared.forEach((p, k) => {
      if (p.kind === 'ready') ready.push(p);
      else settlements[indexes[k] as number] = p.settlement;
    });
    if (ready.length === 0) return;
    const started = performance.now();
    const results = await execute(ready);
    const durationMs = Math.round((performance.now() - started) / (chunked ? ready.length : 1));
    await Promise.all(
      ready.map(async (r, k) => {
        settlements[r.delivery.index] = await settle(
          run,
          r,
          results[k] ?? { kind: 'success' },
          durationMs,
        );
      }),
    );
  };

  await schedule(deliveries.length, deps, run, chunked, runUnit);

  // Not attempted because the target throttled: back off, uncounted.
  for (let i = 0; i < settlements.length; i++) {
    if (settlements[i]) continue;
    const jitter = retryDelaySeconds(deps.definition.settings.backoff, 1, deps.random);
    settlements[i] = { kind: 'retry', delaySeconds: Math.ceil(run.retryAfterSeconds) + jitter };
    run.metrics.count('deferred');
  }
  await changeVisibility(deps, event, settlements);
  run.metrics.publish();
  const batchItemFailures = settlements.flatMap((s, i) =>
    s?.kind === 'ack' ? [] : [{ itemIdentifier: event.Records[i]?.messageId as string }],
  );
  return { batchItemFailures };
}

/**
 * Starts units while the limiter allows and nothing has throttled. Single jobs: up to
 * `limit` in flight. Batch jobs: one chunk of `limit` jobs at a time.
 */
async function schedule(
  count: number,
  deps: JobDeps,
  run: BatchRun,
  chunked: boolean,
  runUnit: (indexes: number[]) => Promise<void>,
): Promise<void> {
  let next = 0;
  if (chunked) {
    while (next < count && !run.throttled) {
      const size = deps.limiter.limit;
      const indexes = Array.from({ length: Math.min(size, count - next) }, (_, k) => next + k);
      next += indexes.length;
      await runUnit(indexes);
    }
    return;
  }
  await new Promise<void>((resolve, reject) => {
    let inFlight = 0;
    const pump = () => {
      while (inFlight < deps.limiter.limit && next < count && !run.throttled) {
        const index = next++;
        inFlight++;
        runUnit([index]).then(() => {
          inFlight--;
          pump();
        }, reject);
      }
      if (inFlight === 0) resolve();
    };
    pump();
  });
}

/** Sets each retried delivery's visibility to its backoff, ten per call. */
async function changeVisibility(
  deps: JobDeps,
  event: SQSEvent,
  settlements: ReadonlyArray<Settlement | undefined>,
): Promise<void> {
  const entries = settlements.flatMap((s, i) =>
    s?.kind === 'retry'
      ? [
          {
            Id: String(i),
            ReceiptHandle: event.Records[i]?.receiptHandle as string,
            VisibilityTimeout: s.delaySeconds,
          },
        ]
      : [],
  );
  for (let start = 0; start < entries.length; start += 10) {
    const chunk = entries.slice(start, start + 10);
    try {
      const { Failed = [] } = await deps.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: deps.config.queueUrl,
          Entries: chunk,
        }),
      );
      for (const failure of Failed) {
        deps.log.warn('Visibility not changed; the message returns at the queue default', {
          messageId: event.Records[Number(failure.Id)]?.messageId,
          code: failure.Code,
        });
      }
    } catch (error) {
      deps.log.warn('Visibility not changed; messages return at the queue default', {
        error: describeError(error),
      });
    }
  }
}
