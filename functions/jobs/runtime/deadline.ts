/**
 * The invocation's deadline: no job or chunk starts that might still run at Lambda's
 * timeout, and a job still running shortly before it ends as a counted, timed-out attempt.
 */
import { JobTimedOutError } from '../outcomes';
import type { JobOutcome } from './settle-job';

/** Least time kept for settling and visibility changes after the last chunk. */
export const SETTLE_RESERVE_MS = 5_000;

/**
 * The unit's results, or — when it is still running as the invocation must stop to settle
 * (its remaining time less {@link SETTLE_RESERVE_MS}) — a timed-out failure for each job:
 * a counted attempt, instead of an invocation that ends at Lambda's timeout with nothing
 * settled or counted.
 */
export async function beforeDeadline(
  running: Promise<JobOutcome[]>,
  count: number,
  remainingMs: (() => number) | undefined,
): Promise<JobOutcome[]> {
  if (!remainingMs) return running;
  const budget = remainingMs() - SETTLE_RESERVE_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<JobOutcome[]>((resolve) => {
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
export function timeShort(
  remainingMs: (() => number) | undefined,
  longestChunkMs: number,
): boolean {
  if (!remainingMs) return false;
  return remainingMs() < SETTLE_RESERVE_MS + 1.5 * longestChunkMs;
}
