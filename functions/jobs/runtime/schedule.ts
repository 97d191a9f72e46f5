/**
 * The order in which a batch's deliveries run. Single jobs: up to the AIMD limit in flight at
 * once. Batch jobs: one chunk of `limit` jobs at a time, in order, the next chunk's records
 * read and its load started while the current chunk's request is out. Neither starts
 * anything once the target has throttled or time runs short.
 */
import { describeError } from '../../shared/errors';
import { timeShort } from './deadline';
import type { Delivery } from './delivery';
import type { Loaded } from './executors';
import type { JobDeps } from './job-deps';
import type { BatchRun } from './run-types';

/**
 * Runs a unit — a single delivery, or a chunk of a batch job with its load already started;
 * `running` is called when the unit's jobs start.
 */
export type RunUnit = (
  deliveries: readonly Delivery[],
  loading?: Promise<Loaded>,
  running?: () => void,
) => Promise<void>;

/** What the schedulers need from the batch: how to read, load and run its units. */
export interface UnitRunner {
  /** Whether the batch has a record `i` (a pack's records are known once it is opened). */
  readonly has: (i: number) => boolean;
  /** Reads record `i` of the batch. */
  readonly read: (i: number) => Delivery;
  readonly runUnit: RunUnit;
  readonly startLoad: (deliveries: readonly Delivery[]) => Promise<Loaded> | undefined;
  /** Whether the job has a load phase to overlap with the chunk before. */
  readonly overlap: boolean;
  readonly remainingMs?: () => number;
}

/**
 * Runs a batch job's chunks one at a time, in order, each of the limiter's size. With a load
 * phase, the next chunk is taken, and its load started, on the event loop's turn after the
 * current chunk starts running — so reading its records and starting its load overlap this
 * chunk's request instead of delaying it.
 */
export async function scheduleChunks(
  deps: JobDeps,
  run: BatchRun,
  units: UnitRunner,
): Promise<void> {
  const { has, read, runUnit, startLoad, overlap, remainingMs } = units;
  let next = 0;
  const take = (): Delivery[] => {
    const first = next;
    let size = 0;
    while (size < deps.limiter.limit && has(first + size)) size++;
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
      current ??= has(next) ? unit(take()) : undefined;
      if (!current) return;
      let following: Promise<Unit | undefined> | undefined;
      // Without a load there is nothing to overlap: the next chunk is sized after this one.
      const prefetch = overlap
        ? () => {
            following = nextTurn(deps, () => {
              // Nothing is read or loaded for a chunk that will not start; whether there is a
              // next chunk is asked only now, as asking may open a pack.
              if (!mayStart() || !has(next)) return undefined;
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
}

/** Runs single jobs, up to the limiter's limit in flight at once. */
export function scheduleSingles(deps: JobDeps, run: BatchRun, units: UnitRunner): Promise<void> {
  const { has, read, runUnit, remainingMs } = units;
  let next = 0;
  return new Promise<void>((resolve, reject) => {
    let inFlight = 0;
    const pump = () => {
      // As for chunks: no job starts that might still run at the timeout.
      while (
        inFlight < deps.limiter.limit &&
        has(next) &&
        !run.throttled &&
        !timeShort(remainingMs, run.longestUnitMs)
      ) {
        const index = next++;
        inFlight++;
        // From a promise, so that whatever throws — the job, or pump asking for the next
        // record — rejects the batch instead of escaping pump.
        Promise.resolve(index)
          .then((i) => runUnit([read(i)]))
          .then(() => {
            inFlight--;
            pump();
          })
          .catch(reject);
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
