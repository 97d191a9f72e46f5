import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { JobMetrics } from '../../../../functions/jobs/runtime/job-metrics';
import { METRICS } from '../../../../functions/topology/topology';

/** EMF lines Powertools printed (POWERTOOLS_DEV makes it print through the global console). */
function emfLines(spy: { mock: { calls: unknown[][] } }): Array<Record<string, unknown>> {
  return spy.mock.calls.map((call) => JSON.parse(String(call[0])) as Record<string, unknown>);
}

/** JobMetrics over a real Powertools Metrics, as createJobDeps builds it for `job`. */
function jobMetrics(job: string): JobMetrics {
  return new JobMetrics(
    new Metrics({
      namespace: 'Sluice',
      serviceName: `sluice-job-${job}`,
      defaultDimensions: { Job: job },
    }),
  );
}

describe('job metrics with Powertools', () => {
  let spy: { mock: { calls: unknown[][] }; mockRestore(): void };
  beforeEach(() => {
    vi.stubEnv('POWERTOOLS_DEV', 'true');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    spy = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => {
    spy.mockRestore();
    vi.unstubAllEnvs();
  });

  it('publishes a batch of samples as one line with the job dimension, not one line per value', () => {
    const metrics = jobMetrics('audit');
    for (let i = 0; i < 50; i++) {
      metrics.count('succeeded');
      metrics.duration(10 + i);
      metrics.attempts(1);
    }
    metrics.publish();
    const lines = emfLines(spy);
    // One line: the count and every sample, all by the Job default dimension.
    expect(lines).toHaveLength(1);
    const samples = lines.find((l) => METRICS.jobs.duration in l) as Record<string, unknown>;
    expect(samples[METRICS.jobs.duration]).toEqual(Array.from({ length: 50 }, (_, i) => 10 + i));
    expect(samples[METRICS.jobs.attempts]).toEqual(Array.from({ length: 50 }, () => 1));
    expect(samples.Job).toBe('audit');
    expect(samples[METRICS.jobs.succeeded]).toBe(50);
  });

  it('publishes samples handed to the sink during the batch with the rest, in one line', () => {
    const metrics = jobMetrics('index-product');
    for (let chunk = 0; chunk < 3; chunk++) {
      metrics.duration(chunk);
      for (let i = 0; i < 10; i++) metrics.attempts(1 + chunk);
      metrics.addSamples();
    }
    expect(spy.mock.calls).toHaveLength(0);
    metrics.count('succeeded');
    metrics.publish();
    const lines = emfLines(spy);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.[METRICS.jobs.duration]).toEqual([0, 1, 2]);
    expect(lines[0]?.[METRICS.jobs.attempts]).toEqual([
      ...Array(10).fill(1),
      ...Array(10).fill(2),
      ...Array(10).fill(3),
    ]);
  });

  it('publishes samples handed to the sink even when nothing was counted', () => {
    const metrics = jobMetrics('a');
    metrics.attempts(2);
    metrics.addSamples();
    metrics.publish();
    expect(emfLines(spy).map((l) => l[METRICS.jobs.attempts])).toEqual([2]);
  });

  it('publishes nothing more when Powertools already printed the samples at 100 values', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const metrics = jobMetrics('a');
    for (let i = 0; i < 100; i++) metrics.attempts(1);
    metrics.addSamples();
    expect(emfLines(spy)).toHaveLength(1);
    metrics.publish();
    expect(emfLines(spy)).toHaveLength(1);
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  it('publishes samples even when nothing was counted', () => {
    const metrics = jobMetrics('a');
    metrics.duration(5);
    metrics.publish();
    expect(emfLines(spy).map((l) => l[METRICS.jobs.duration])).toEqual([5]);
  });
});
