/**
 * Runs one SQS batch of a job: prepare each delivery, run the job (one at a time per
 * delivery, or the whole chunk at once for a batch job) under the container's AIMD limit,
 * settle each result, then put failed deliveries back with their backoff
 * (ChangeMessageVisibilityBatch) and report them in batchItemFailures.
 *
 * A batch job with a `load` phase (reads and preparation, no effects) has it overlap other
 * I/O: a chunk's load runs while its deliveries are prepared (claims, records), and the next
 * chunk's load — its records read only then — while this chunk's request is out. Chunks
 * still run — write — one at a time, in order.
 *
 * When a job meets throttling, deliveries not yet started are not attempted: they return
 * with a backoff and no attempt is counted (a load already done for them is dropped).
 */
import { ChangeMessageVisibilityBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { describeError } from '../../shared/errors';
import { type BatchItemResult, type JobResult, JobTimedOutError } from '../outcomes';
import { type Delivery, readDelivery } from './delivery';
import type { JobDeps } from './job-deps';
import { JobMetrics } from './job-metrics';
import { prepare } from './prepare';
import { retryDelaySeconds } from './retry-schedule';
import type { BatchRun, JobContext, Prepared, Ready, Settlement } from './run-types';
import { type RunResult, settle } from './settle';

/** What a batch job's `load` gave for a chunk, settled: a loader never rejects. */
export type Loaded =
  | { readonly ok: true; readonly value: unknown; readonly ms: number }
  | { readonly ok: false; readonly error: unknown; readonly ms: number };

/** Runs a chunk of ready jobs (with what was loaded for it); one result per job, in order. */
export type Executor = (ready: readonly Ready[], loaded?: Loaded) => Promise<RunResult[]>;

/** Starts loading what a chunk's jobs need, from their events. */
export type Loader = (events: readonly unknown[]) => Promise<Loaded>;

/** An executor for a job that handles one job at a time. */
export function singleExecutor<E>(
  perform: (context: JobContext<E>) => Promise<JobResult | undefined> | Promise<void>,
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

/**
 * An executor for a batch-aware job: one call per chunk, one result per job. A failed load
 * fails every job of its chunk, as if performBatch had thrown it.
 */
export function batchExecutor<E, L>(
  performBatch: (
    contexts: readonly JobContext<E>[],
    loaded?: L,
  ) => Promise<readonly BatchItemResult[]>,
): Executor {
  return async (ready, loaded) => {
    try {
      if (loaded && !loaded.ok) throw loaded.error;
      const contexts = ready.map((r) => r.context as JobContext<E>);
      const results = await performBatch(contexts, loaded?.value as L | undefined);
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

/** A loader over a batch job's `load`; its time is measured for the jobs' durations. */
export function batchLoader<E, L>(load: (events: readonly E[]) => Promise<L>): Loader {
  return async (events) => {
    const started = performance.now();
    try {
      const value = await load(events as readonly E[]);
      return { ok: true, value, ms: performance.now() - started };
    } catch (error) {
      return { ok: false, error, ms: performance.now() - started };
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
  load?: Loader,
  remainingMs?: () => number,
): Promise<SQSBatchResponse> {
  const run: BatchRun = {
    deps,
    metrics: new JobMetrics(deps.metricSink),
    throttled: false,
    retryAfterSeconds: 0,
    longestUnitMs: 0,
  };
  // Each record is read (its body parsed) when its unit is taken, not all up front: the
  // first chunk starts sooner, later ones are read while an earlier chunk's I/O is out, and
  // only the units in flight are kept alive.
  const records = event.Records;
  const read = (i: number): Delivery =>
    readDelivery(records[i] as SQSRecord, i, deps.definition.name);
  const settlements: Array<Settlement | undefined> = new Array(records.length);
  const chunked = deps.definition.batch;

  // Loads from the events the deliveries carry (a claim-checked one is read in prepare:
  // the job loads what is missing itself).
  const startLoad = (deliveries: readonly Delivery[]): Promise<Loaded> | undefined => {
    if (!load) return undefined;
    const events = deliveries.flatMap((delivery) =>
      delivery.message && !delivery.problem ? [delivery.message.event] : [],
    );
    return load(events);
  };

  const runUnit: RunUnit = async (deliveries, loading, running) => {
    const prepared = await Promise.all(
      deliveries.map((delivery) => safely(run, delivery, prepare)),
    );
    const ready: Ready[] = [];
    prepared.forEach((p, k) => {
      if (p.kind === 'ready') ready.push(p);
      else settlements[(deliveries[k] as Delivery).index] = p.settlement;
    });
    if (ready.length === 0) return;
    const loaded = await loading;
    running?.();
    const started = performance.now();
    const results = await beforeDeadline(execute(ready, loaded), ready.length, remainingMs);
    run.longestUnitMs = Math.max(run.longestUnitMs, performance.now() - started);
    // A job's duration includes its share of the load, though that overlapped other work.
    const elapsed = performance.now() - started + (loaded?.ms ?? 0);
    const durationMs = Math.round(elapsed / (chunked ? ready.length : 1));
    // One sample per run: every job of a chunk took the same share (a sample per job made
    // a 1,000-job batch pay for 1,000 identical values).
    run.metrics.duration(durationMs);
    await Promise.all(
      ready.map(async (r, k) => {
        settlements[r.delivery.index] = await settle(
          run,
          r,
          results[k] ?? { kind: 'success' },
          durationMs,
        ).catch((error: unknown) => {
          // A bug in settling one job must not fail the batch: the message comes back.
          r.context.log.error('Job not settled', { error: describeError(error) });
          return { kind: 'unsettled' } as const;
        });
      }),
    );
  };

  await schedule(records.length, deps, run, chunked, {
    read,
    runUnit,
    startLoad,
    overlap: load !== undefined,
    remainingMs,
  });

  // Not attempted because the target throttled or time ran short: back off, uncounted.
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
 * Runs a unit — a single delivery, or a chunk of a batch job with its load already started;
 * `running` is called when the unit's jobs start.
 */
type RunUnit = (
  deliveries: readonly Delivery[],
  loading?: Promise<Loaded>,
  running?: () => void,
) => Promise<void>;

/** What {@link schedule} needs from the batch: how to read, load and run its units. */
interface UnitRunner {
  /** Reads record `i` of the batch. */
  readonly read: (i: number) => Delivery;
  readonly runUnit: RunUnit;
  readonly startLoad: (deliveries: readonly Delivery[]) => Promise<Loaded> | undefined;
  /** Whether the job has a load phase to overlap with the chunk before. */
  readonly overlap: boolean;
  readonly remainingMs?: () => number;
}

/** Least time kept for settling and visibility changes after the last chunk. */
const SETTLE_RESERVE_MS = 5_000;

/**
 * Prepares a delivery; a throw (a bug) leaves it unsettled instead of failing the batch.
 */
async function safely(
  run: BatchRun,
  delivery: Delivery,
  step: (run: BatchRun, delivery: Delivery) => Promise<Prepared>,
): Promise<Prepared> {
  try {
    return await step(run, delivery);
  } catch (error) {
    run.deps.log.error('Job not prepared', {
      messageId: delivery.messageId,
      error: describeError(error),
    });
    return { kind: 'settled', settlement: { kind: 'unsettled' } };
  }
}

/**
 * The unit's results, or — when it is still running as the invocation must stop to settle
 * (its remaining time less {@link SETTLE_RESERVE_MS}) — a timed-out failure for each job:
 * a counted attempt, instead of an invocation that ends at Lambda's timeout with nothing
 * settled or counted.
 */
async function beforeDeadline(
  running: Promise<RunResult[]>,
  count: number,
  remainingMs: (() => number) | undefined,
): Promise<RunResult[]> {
  if (!remainingMs) return running;
  const budget = remainingMs() - SETTLE_RESERVE_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<RunResult[]>((resolve) => {
    timer = setTimeout(
      () => {
        const error = new JobTimedOutError(
          `still running ${SETTLE_RESERVE_MS / 1000} s before the function's timeout`,
        );
        resolve(Array.from({ length: count }, () => ({ kind: 'failed', error })));
      },
      Math.max(0, budget),
    );
  });
  try {
    return await Promise.race([running, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Whether the invocation may run out of time in another chunk: a batch of many chunks against
 * a slow target (each chunk up to its request timeout) must stop before Lambda's timeout, or
 * every job of the batch — the ones never attempted too — would come back unreported and
 * spend a receive. Chunks not started are deferred with a backoff, like after a throttle.
 */
function timeShort(remainingMs: (() => number) | undefined, longestChunkMs: number): boolean {
  if (!remainingMs) return false;
  return remainingMs() < SETTLE_RESERVE_MS + 1.5 * longestChunkMs;
}

/**
 * Starts units while the limiter allows and nothing has throttled. Single jobs: up to
 * `limit` in flight. Batch jobs: one chunk of `limit` jobs at a time; with a load phase,
 * the next chunk is taken, and its load started, on the event loop's turn after the current
 * chunk starts running.
 */
async function schedule(
  count: number,
  deps: JobDeps,
  run: BatchRun,
  chunked: boolean,
  units: UnitRunner,
): Promise<void> {
  const { read, runUnit, startLoad, overlap, remainingMs } = units;
  let next = 0;
  if (chunked) {
    const take = (): Delivery[] => {
      const first = next;
      const size = Math.min(deps.limiter.limit, count - first);
      // Taken before they are read: a read that throws leaves them deferred, not retaken.
      next += size;
      return Array.from({ length: size }, (_, k) => read(first + k));
    };
    type Unit = { readonly deliveries: Delivery[]; readonly loading?: Promise<Loaded> };
    const unit = (deliveries: Delivery[]): Unit => ({
      deliveries,
      loading: startLoad(deliveries),
    });
    let current: Unit | undefined;
    let longestChunkMs = 0;
    let finished = false;
    // Chunks are timed on the invocation's own clock when there is one.
    const clock = remainingMs ? () => -remainingMs() : () => performance.now();
    const mayStart = () => !finished && !run.throttled && !timeShort(remainingMs, longestChunkMs);
    try {
      while (mayStart()) {
        current ??= next < count ? unit(take()) : undefined;
        if (!current) return;
        let following: Promise<Unit | undefined> | undefined;
        // Without a load there is nothing to overlap: the next chunk is sized after this one.
        // With one, the next chunk is taken on the event loop's next turn, once this chunk's
        // job has sent its request, so that reading its records and starting its load overlap
        // that request instead of delaying it.
        const prefetch =
          overlap && next < count
            ? () => {
                following = nextTurn(deps, () => {
                  // Nothing is read or loaded for a chunk that will not start.
                  if (!mayStart()) return undefined;
                  // The samples of the chunks before go to the sink then too.
                  run.metrics.addSamples();
                  return unit(take());
                });
              }
            : undefined;
        const started = clock();
        await runUnit(current.deliveries, current.loading, prefetch);
        longestChunkMs = Math.max(longestChunkMs, clock() - started);
        current = following && (await following);
      }
    } finally {
      // A turn still queued when the batch ends (or fails) must not start anything.
      finished = true;
    }
    return;
  }
  await new Promise<void>((resolve, reject) => {
    let inFlight = 0;
    const pump = () => {
      // As for chunks: no job starts that might still run at the timeout.
      while (
        inFlight < deps.limiter.limit &&
        next < count &&
        !run.throttled &&
        !timeShort(remainingMs, run.longestUnitMs)
      ) {
        const index = next++;
        inFlight++;
        // From a promise, so that whatever throws rejects the batch instead of escaping pump.
        Promise.resolve(index)
          .then((i) => runUnit([read(i)]))
          .then(() => {
            inFlight--;
            pump();
          }, reject);
      }
      if (inFlight === 0) resolve();
    };
    pump();
  });
}

/**
 * `make()`, called on the event loop's next turn. It never rejects: a throw (a bug — reading
 * records and starting loads do not throw) is logged and gives no chunk; the deliveries it
 * took are deferred, uncounted, the chunks already run stay settled, and the batch goes on.
 */
function nextTurn<T>(deps: JobDeps, make: () => T | undefined): Promise<T | undefined> {
  return new Promise((resolve) => {
    setImmediate(() => {
      try {
        resolve(make());
      } catch (error) {
        deps.log.error('Next chunk not taken; its jobs are deferred', {
          error: describeError(error),
        });
        resolve(undefined);
      }
    });
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
