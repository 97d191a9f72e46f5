/**
 * Logs and metrics. Structured JSON logs come from Powertools Logger; metrics are counted
 * in memory during a batch and published once at its end as CloudWatch EMF by Powertools
 * Metrics — one line per dimension set instead of one per record keeps the hot path cheap.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricUnit as MetricUnitName } from '@aws-lambda-powertools/metrics/types';
import { METRICS } from '../topology/topology';

/** The logging calls Sluice code makes; Powertools Logger satisfies it, tests can capture it. */
export interface Log {
  debug(message: string, ...extra: Record<string, unknown>[]): void;
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

/** Where counted metrics go; Powertools Metrics satisfies it. */
export interface MetricSink {
  addMetric(name: string, unit: MetricUnitName, value: number): unknown;
  addDimensions(dimensions: Record<string, string>): unknown;
  singleMetric(): MetricSink;
  publishStoredMetrics(): unknown;
  /** Whether anything is stored, not yet published. */
  hasStoredMetrics(): boolean;
}

/**
 * Counts metrics per name and dimension set; {@link publish} emits every dimensioned count
 * and, per name, a total for alarms with only the sink's default dimensions (`service`, and
 * `Job` for a job function).
 *
 * @example
 * ```ts
 * const counter = new MetricCounter(metrics);
 * counter.count('RecordsDeadLettered', 1, { Reason: 'NOT_JSON' });
 * counter.publish();
 * ```
 */
export class MetricCounter {
  private readonly totals = new Map<string, number>();
  private readonly dimensioned = new Map<
    string,
    { name: string; dimensions: Record<string, string>; value: number }
  >();

  constructor(private readonly sink: MetricSink) {}

  /**
   * Adds `value` to the total of `name` and to its count for each dimension set given,
   * e.g. once by reason and once by event type and version.
   */
  count(name: string, value = 1, ...dimensionSets: Record<string, string>[]): void {
    this.totals.set(name, (this.totals.get(name) ?? 0) + value);
    for (const dimensions of dimensionSets) {
      const key = `${name}\u0000${this.keyOf(dimensions)}`;
      const entry = this.dimensioned.get(key);
      if (entry) entry.value += value;
      else this.dimensioned.set(key, { name, dimensions, value });
    }
  }

  // Callers reuse dimension objects on hot paths; stringify each object once.
  private readonly dimensionKeys = new WeakMap<Record<string, string>, string>();

  private keyOf(dimensions: Record<string, string>): string {
    let key = this.dimensionKeys.get(dimensions);
    if (key === undefined) {
      key = JSON.stringify(dimensions);
      this.dimensionKeys.set(dimensions, key);
    }
    return key;
  }

  /** The current total of a metric (for summaries and tests). */
  total(name: string): number {
    return this.totals.get(name) ?? 0;
  }

  /**
   * Emits everything counted since the last publish and starts again from zero.
   *
   * @returns whether anything was published (the sink's stored metrics included)
   */
  publish(): boolean {
    for (const { name, dimensions, value } of this.dimensioned.values()) {
      const single = this.sink.singleMetric();
      single.addDimensions(dimensions);
      single.addMetric(name, MetricUnit.Count, value);
    }
    for (const [name, value] of this.totals) this.sink.addMetric(name, MetricUnit.Count, value);
    const published = this.totals.size > 0;
    if (published) this.sink.publishStoredMetrics();
    this.totals.clear();
    this.dimensioned.clear();
    return published;
  }
}

/**
 * Logger and metrics for one function, built once at module scope by its handler.
 * `defaultDimensions` go on every metric the function emits (a job function: its `Job`).
 */
export function createTelemetry(
  serviceName: string,
  defaultDimensions?: Record<string, string>,
): { logger: Logger; metrics: Metrics } {
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ namespace: METRICS.namespace, serviceName, defaultDimensions }),
  };
}
