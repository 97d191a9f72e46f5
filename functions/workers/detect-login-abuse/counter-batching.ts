/**
 * How the counters gather the writes of jobs in flight together: the job runtime starts a
 * delivered batch's jobs in one turn of the event loop, so what they ask for in that turn is
 * collected (DataLoader) and handed over, one counter at a time, on the next turn — after
 * every job started has asked. Used by the set path (counter-set.ts) and the marker path
 * (counter-markers.ts).
 */
import DataLoader from 'dataloader';
import type { Counter } from './counter-item';

/** A job's request about one counter. */
export interface CounterRequest {
  readonly counter: Counter;
  readonly counterId: string;
}

/**
 * A loader whose requests of one turn are grouped by `keyOf` and passed to `runOneCounter`,
 * which answers each request of its group, in order (an Error fails that request only).
 *
 * @example
 * ```ts
 * // One answer per request, each counter's requests together (counter-set.ts sends an update).
 * const sizes = counterLoader(
 *   (request: CounterRequest) => request.counterId,
 *   async (requests) => requests.map(() => requests.length),
 * );
 * await sizes.load({ counter, counterId: 'ip#203.0.113.9#2026-11-28T10:05:00.000Z' }); // 1
 * ```
 */
export function counterLoader<T extends CounterRequest, R>(
  keyOf: (request: T) => string,
  runOneCounter: (requests: readonly T[]) => Promise<readonly (R | Error)[]>,
): DataLoader<T, R> {
  return new DataLoader<T, R>((all) => perCounter(all, keyOf, runOneCounter), {
    cache: false,
    batchScheduleFn: (send) => setImmediate(send),
  });
}

async function perCounter<T, R>(
  all: readonly T[],
  keyOf: (request: T) => string,
  runOneCounter: (requests: readonly T[]) => Promise<readonly (R | Error)[]>,
): Promise<(R | Error)[]> {
  const byCounter = new Map<string, number[]>();
  all.forEach((request, i) => {
    const key = keyOf(request);
    const positions = byCounter.get(key);
    if (positions) positions.push(i);
    else byCounter.set(key, [i]);
  });
  const results: (R | Error)[] = new Array(all.length);
  await Promise.all(
    [...byCounter.values()].map(async (positions) => {
      const outcomes = await runOneCounter(positions.map((i) => all[i] as T));
      positions.forEach((position, k) => {
        results[position] = outcomes[k] ?? new Error(`no outcome for request ${k}`);
      });
    }),
  );
  return results;
}

/**
 * One counter's requests with copies of a job (two deliveries of one message side by side)
 * set apart: the first request of each job, and whether request `i` is a later copy.
 */
export function firstOfEachJob<T extends CounterRequest>(
  requests: readonly T[],
): { readonly distinct: readonly T[]; readonly isCopy: (i: number) => boolean } {
  const firstOf = new Map<string, number>();
  requests.forEach((request, i) => {
    if (!firstOf.has(request.counter.jobId)) firstOf.set(request.counter.jobId, i);
  });
  return {
    distinct: [...firstOf.values()].map((i) => requests[i] as T),
    isCopy: (i) => firstOf.get((requests[i] as T).counter.jobId) !== i,
  };
}
