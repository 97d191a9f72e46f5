/**
 * The schedulers' handling of a record source that throws (opening a pack is the one place
 * asking for a record parses anything): the batch fails, as a whole, instead of hanging.
 */
import { describe, expect, it } from 'vitest';
import { AimdLimiter } from '../../../../functions/jobs/runtime/aimd-limiter';
import type { Delivery } from '../../../../functions/jobs/runtime/delivery';
import { JobMetrics } from '../../../../functions/jobs/runtime/job-metrics';
import type { BatchRun } from '../../../../functions/jobs/runtime/run-types';
import { scheduleSingles, type UnitRunner } from '../../../../functions/jobs/runtime/schedule';
import { auditJob, testJobDeps } from '../../../support/job-runtime-fakes';

describe('scheduleSingles', () => {
  it('rejects the batch when asking for a later record throws, instead of never ending', async () => {
    const { deps, metricSink } = testJobDeps(auditJob(), {
      limiter: new AimdLimiter({ initial: 1, max: 1 }),
    });
    const run: BatchRun = {
      deps,
      metrics: new JobMetrics(metricSink),
      throttled: false,
      retryAfterSeconds: 0,
      longestUnitMs: 0,
    };
    const ran: number[] = [];
    const units: UnitRunner = {
      has: (i) => {
        if (i === 1) throw new Error('a bug in opening a pack');
        return i < 3;
      },
      read: (i) => ({ index: i }) as Delivery,
      runUnit: async ([delivery]) => {
        ran.push(delivery?.index ?? -1);
      },
      startLoad: () => undefined,
      overlap: false,
    };
    const ended = await Promise.race([
      scheduleSingles(deps, run, units).then(
        () => 'resolved',
        (error: Error) => `rejected: ${error.message}`,
      ),
      new Promise((resolve) => setTimeout(() => resolve('still running'), 500)),
    ]);
    expect(ended).toBe('rejected: a bug in opening a pack');
    expect(ran).toEqual([0]);
  });
});
