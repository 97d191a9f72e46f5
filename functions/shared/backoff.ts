/**
 * Exponential backoff with full jitter: the n-th retry waits a random time in
 * [0, min(cap, base * 2^(n-1))). Full jitter spreads retries of many callers so they do
 * not hit a recovering service in lockstep.
 *
 * @example
 * ```ts
 * const policy = { baseMs: 100, capMs: 2_000 };
 * await sleep(fullJitterDelay(policy, attempt));
 * ```
 */
export interface BackoffPolicy {
  /** Upper bound of the first retry's delay. */
  readonly baseMs: number;
  /** No delay exceeds this. */
  readonly capMs: number;
}

/** The ceiling of the delay before retry number `retry` (1-based), before jitter. */
export function backoffCeiling(policy: BackoffPolicy, retry: number): number {
  const exponent = Math.max(0, retry - 1);
  // 2^exponent overflows to Infinity long after it passes any cap; Math.min handles that.
  return Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
}

/** A random delay in [0, ceiling) for retry number `retry` (1-based). */
export function fullJitterDelay(
  policy: BackoffPolicy,
  retry: number,
  random: () => number = Math.random,
): number {
  return Math.floor(random() * backoffCeiling(policy, retry));
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
