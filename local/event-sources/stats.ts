/**
 * What the emulation reports: one report per invocation (for `npm run dev`'s live counts) and
 * running totals per mapping. Tests of the emulation check the services, not these counters.
 */

export type MappingKind = 'kafka' | 'sqs';

/** `partial`: some items reported as failed (ReportBatchItemFailures); `failed`: the whole batch. */
export type InvocationOutcome = 'succeeded' | 'partial' | 'failed';

export interface InvocationReport {
  readonly mapping: string;
  readonly kind: MappingKind;
  /** Records in the event. */
  readonly records: number;
  /** Records left to be delivered again (all of them when the batch failed). */
  readonly failedItems: number;
  readonly outcome: InvocationOutcome;
  readonly durationMs: number;
  /** What the handler threw, or why its response was unusable. */
  readonly error?: unknown;
}

export interface MappingStats {
  readonly mapping: string;
  readonly kind: MappingKind;
  readonly invocations: number;
  readonly succeeded: number;
  readonly partial: number;
  readonly failed: number;
  readonly records: number;
  readonly failedItems: number;
  /** Invocations running now, and the most seen at once. */
  readonly inFlight: number;
  readonly maxInFlight: number;
  /** Errors of the mapping itself (polling, deleting, committing), not of the handler. */
  readonly errors: number;
  readonly lastError?: string;
}

export interface EventSourceHooks {
  /** After each invocation has been settled (offsets committed, successes deleted). */
  readonly onInvoke?: (report: InvocationReport) => void;
  /** A poll, commit or delete failed; the mapping keeps running and retries. */
  readonly onError?: (mapping: string, error: unknown) => void;
}

/** Running totals of one mapping, fed by its runner. */
export class MappingCounters {
  #stats: {
    -readonly [K in keyof MappingStats]: MappingStats[K];
  };

  constructor(
    mapping: string,
    kind: MappingKind,
    private readonly hooks: EventSourceHooks,
  ) {
    this.#stats = {
      mapping,
      kind,
      invocations: 0,
      succeeded: 0,
      partial: 0,
      failed: 0,
      records: 0,
      failedItems: 0,
      inFlight: 0,
      maxInFlight: 0,
      errors: 0,
    };
  }

  snapshot(): MappingStats {
    return { ...this.#stats };
  }

  started(): void {
    this.#stats.inFlight += 1;
    this.#stats.maxInFlight = Math.max(this.#stats.maxInFlight, this.#stats.inFlight);
  }

  finished(report: InvocationReport): void {
    const stats = this.#stats;
    stats.inFlight -= 1;
    stats.invocations += 1;
    stats[report.outcome] += 1;
    stats.records += report.records;
    stats.failedItems += report.failedItems;
    try {
      this.hooks.onInvoke?.(report);
    } catch (error) {
      // A failing hook must not stop the mapping; it is reported like any other error.
      this.error(error);
    }
  }

  error(error: unknown): void {
    this.#stats.errors += 1;
    this.#stats.lastError = error instanceof Error ? error.message : String(error);
    try {
      this.hooks.onError?.(this.#stats.mapping, error);
    } catch {
      // Nowhere left to report it; the counters still show it.
    }
  }
}
