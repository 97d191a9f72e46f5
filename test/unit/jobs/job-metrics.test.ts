import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { JobMetrics } from '../../../functions/jobs/job-metrics';
import { METRICS } from '../../../functions/topology/topology';

/** EMF lines Powertools printed (POWERTOOLS_DEV makes it print through the global console). */
function emfLines(spy: { mock: { calls: unknown[][] } }): Array<Record<string, unknown>> {
  return spy.mock.calls.map((call) => JSON.parse(String(call[0])) as Record<string, unknown>);
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
    const sink = new Metrics({
      namespace: 'Sluice',
      serviceName: 'sluice-job-audit',
      defaultDimensions: { Job: 'audit' },
    });
    const metrics = new JobMetrics(sink);
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

  it('publishes samples even when nothing was counted', () => {
    const sink = new Metrics({
      namespace: 'Sluice',
      serviceName: 's',
      defaultDimensions: { Job: 'a' },
    });
    const metrics = new JobMetrics(sink);
    metrics.duration(5);
    metrics.publish();
    expect(emfLines(spy).map((l) => l[METRICS.jobs.duration])).toEqual([5]);
  });
});
