/**
 * The job runtime's metrics: counts per job (and reason) through MetricCounter, plus
 * per-run samples (duration, attempts) emitted as values so CloudWatch keeps percentiles.
 * Everything is published once per batch.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricUnit as MetricUnitName } from '@aws-lambda-powertools/metrics/types';
import { MetricCounter, type MetricSink } from '../shared/telemetry';
import { METRICS } from '../topology/topology';

const M = METRICS.jobs;
const D = METRICS.dimensions;
type CountName = Exclude<keyof typeof M, 'duration' | 'attempts'>;

/**
 * @example
 * ```ts
 * const metrics = new JobMetrics(sink, 'audit');
 * metrics.count('succeeded');
 * metrics.duration(120);
 * metrics.attempts(1);
 * metrics.publish();
 * ```
 */
export class JobMetrics {
  readonly counter: MetricCounter;
  private durations: number[] = [];
  private attemptCounts: number[] = [];

  constructor(
    private readonly sink: MetricSink,
    private readonly job: string,
  ) {
    this.counter = new MetricCounter(sink);
  }

  count(name: CountName, reason?: string): void {
    const byJob = { [D.job]: this.job };
    if (reason === undefined) this.counter.count(M[name], 1, byJob);
    else this.counter.count(M[name], 1, byJob, { ...byJob, [D.reason]: reason });
  }

  /** How long one run took. */
  duration(ms: number): void {
    this.durations.push(ms);
  }

  /** The attempt a job ended on (succeeded or dead-lettered). */
  attempts(attempt: number): void {
    this.attemptCounts.push(attempt);
  }

  publish(): void {
    // A single metric publishes (and forgets its dimensions) on each addMetric: one per value.
    const emit = (name: string, unit: MetricUnitName, value: number) => {
      const single = this.sink.singleMetric();
      single.addDimensions({ [D.job]: this.job });
      single.addMetric(name, unit, value);
    };
    for (const ms of this.durations) emit(M.duration, MetricUnit.Milliseconds, ms);
    for (const n of this.attemptCounts) emit(M.attempts, MetricUnit.Count, n);
    this.durations = [];
    this.attemptCounts = [];
    this.counter.publish();
  }
}
