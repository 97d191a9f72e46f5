/**
 * The job runtime's metrics: counts per job (and reason) through MetricCounter, plus
 * samples emitted as values so CloudWatch keeps percentiles: the duration of each run (a
 * job, or a chunk of a batch job) and the attempt each job ended on.
 * Everything is published once per batch. The sink is the job function's Metrics, built with
 * the `Job` dimension as a default dimension (createJobDeps).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { MetricCounter, type MetricSink } from '../../shared/telemetry';
import { METRICS } from '../../topology/topology';

const M = METRICS.jobs;
const D = METRICS.dimensions;
type CountName = Exclude<keyof typeof M, 'duration' | 'attempts'>;

/**
 * @example
 * ```ts
 * const metrics = new JobMetrics(sink); // the audit function's Metrics, default dimension Job=audit
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

  constructor(private readonly sink: MetricSink) {
    this.counter = new MetricCounter(sink);
  }

  count(name: CountName, reason?: string): void {
    // The total is by Job already (the sink's default dimension); a reason adds one set.
    if (reason === undefined) this.counter.count(M[name], 1);
    else this.counter.count(M[name], 1, this.byReason(reason));
  }

  private readonly reasons = new Map<string, Record<string, string>>();

  /** One dimension object per reason, so the counter can cache its key. */
  private byReason(reason: string): Record<string, string> {
    let dimensions = this.reasons.get(reason);
    if (!dimensions) {
      dimensions = { [D.reason]: reason };
      this.reasons.set(reason, dimensions);
    }
    return dimensions;
  }

  /** How long one run took: a single job's, or each job's share of a chunk of a batch job. */
  duration(ms: number): void {
    this.durations.push(ms);
  }

  /** The attempt a job ended on (succeeded or dead-lettered). */
  attempts(attempt: number): void {
    this.attemptCounts.push(attempt);
  }

  /**
   * Hands the samples taken so far to the sink, which stores them until {@link publish}
   * (printing a line whenever a name reaches 100 values). The runtime calls it while a
   * request is out, so that a 1,000-job batch does not pay for its samples at the end.
   */
  addSamples(): void {
    // Samples go on the function's own Metrics, whose default dimensions carry the job:
    // Powertools stores repeated values of a name as one array, so a batch of 100 jobs is a
    // few EMF lines, not 200 single-metric lines (what bench:index found costly).
    for (const ms of this.durations) this.sink.addMetric(M.duration, MetricUnit.Milliseconds, ms);
    for (const n of this.attemptCounts) this.sink.addMetric(M.attempts, MetricUnit.Count, n);
    this.durations = [];
    this.attemptCounts = [];
  }

  publish(): void {
    this.addSamples();
    // Counts publish whatever is stored with them; without any, samples still stored go
    // alone (Powertools may already have printed some, at 100 values of a name).
    if (!this.counter.publish() && this.sink.hasStoredMetrics()) this.sink.publishStoredMetrics();
  }
}
