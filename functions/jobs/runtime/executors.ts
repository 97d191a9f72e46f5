/**
 * How the runtime calls a job's code: an executor runs a chunk of ready jobs (one job for a
 * single job, many for a batch job) and never rejects; a loader runs a batch job's `load`
 * phase for a chunk and never rejects either. Failures become results.
 */
import type { BatchItemResult, JobResult } from '../outcomes';
import type { JobContext, Ready } from './run-types';
import type { JobOutcome } from './settle-job';

/** What a batch job's `load` gave for a chunk, settled: a loader never rejects. */
export type Loaded =
  | { readonly ok: true; readonly value: unknown; readonly ms: number }
  | { readonly ok: false; readonly error: unknown; readonly ms: number };

/** Runs a chunk of ready jobs (with what was loaded for it); one result per job, in order. */
export type Executor = (ready: readonly Ready[], loaded?: Loaded) => Promise<JobOutcome[]>;

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
        (_, i): JobOutcome =>
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
