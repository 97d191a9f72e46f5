/**
 * The decisions of a guarded redrive, as pure functions: whether the canary may be followed
 * by the rest, and whether failures during the rest have stayed above the threshold long
 * enough to stop.
 */
import type { MessageOutcome } from './outcomes';

export interface CanaryVerdict {
  readonly go: boolean;
  readonly processed: number;
  readonly failed: number;
  readonly pending: number;
  readonly reason: string;
}

/**
 * Go on only when the share of failed canary messages is at most `threshold` and at least
 * half of them have a known outcome (an inconclusive canary proves nothing).
 *
 * @example
 * ```ts
 * canaryVerdict(outcomes, 0.2).go; // false when 2 of 5 failed
 * ```
 */
export function canaryVerdict(
  outcomes: readonly MessageOutcome[],
  threshold: number,
): CanaryVerdict {
  const failed = outcomes.filter((o) => o.outcome === 'failed').length;
  const processed = outcomes.filter((o) => o.outcome === 'processed').length;
  const pending = outcomes.length - failed - processed;
  const total = outcomes.length;
  const counts = { processed, failed, pending };
  if (total === 0) return { go: true, ...counts, reason: 'no canary' };
  if (failed / total > threshold) {
    return {
      go: false,
      ...counts,
      reason: `${failed} of ${total} canary messages failed again (threshold ${Math.round(threshold * 100)}%)`,
    };
  }
  if (pending * 2 > total) {
    return {
      go: false,
      ...counts,
      reason: `${pending} of ${total} canary messages have no outcome yet (still retrying or not picked up): inconclusive`,
    };
  }
  return {
    go: true,
    ...counts,
    reason: `${processed} of ${total} canary messages processed, ${failed} failed`,
  };
}

export interface GuardSettings {
  /** Largest acceptable share of moved messages coming back (0–1). */
  readonly threshold: number;
  /** Moved messages needed before judging at all. */
  readonly minSample: number;
  /** Consecutive observations above the threshold that stop the redrive. */
  readonly patience: number;
}

/**
 * Watches (moved, returned) counts and says stop once the failure share has stayed above
 * the threshold for `patience` observations in a row — a single bad reading does not stop
 * a redrive, a sustained one does.
 *
 * @example
 * ```ts
 * const guard = new FailureGuard({ threshold: 0.2, minSample: 20, patience: 3 });
 * if (guard.observe(moved, returned)) await cancel();
 * ```
 */
export class FailureGuard {
  private above = 0;

  constructor(private readonly settings: GuardSettings) {}

  /** @returns true when the redrive must stop */
  observe(moved: number, returned: number): boolean {
    if (moved < this.settings.minSample || moved === 0) {
      this.above = 0;
      return false;
    }
    this.above = returned / moved > this.settings.threshold ? this.above + 1 : 0;
    return this.above >= this.settings.patience;
  }

  /** The share of moved messages that came back. */
  static ratio(moved: number, returned: number): number {
    return moved === 0 ? 0 : returned / moved;
  }
}
