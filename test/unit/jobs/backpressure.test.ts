import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { defineBatchJob, defineJob } from '../../../functions/jobs/define-job';
import {
  MAX_RETRY_DELAY_SECONDS,
  SQS_MAX_VISIBILITY_SECONDS,
} from '../../../functions/jobs/job-definition';
import { discard, failed } from '../../../functions/jobs/outcomes';
import { AimdLimiter } from '../../../functions/jobs/runtime/aimd-limiter';
import {
  retryCeilingSeconds,
  retryDelaySeconds,
  shortestRetrySpanSeconds,
} from '../../../functions/jobs/runtime/retry-schedule';
import type { JobContext } from '../../../functions/jobs/runtime/run-types';
import { PermanentError, TransientError } from '../../../functions/shared/errors';
import { ThrottledError } from '../../../functions/shared/throttling';
import { METRICS } from '../../../functions/topology/topology';
import { JOBS } from '../../../functions/workers/jobs';
import { auditJob, jobMessage, sqsRecord, testJobDeps } from '../../support/job-runtime-fakes';

const M = METRICS.jobs;

describe('backoff schedule', () => {
  const backoff = { baseSeconds: 10, capSeconds: 900 };

  it('doubles from the base up to the cap', () => {
    const ceilings = Array.from({ length: 9 }, (_, i) => retryCeilingSeconds(backoff, i + 1));
    expect(ceilings).toEqual([10, 20, 40, 80, 160, 320, 640, 900, 900]);
  });

  it('draws uniformly in the upper half below the ceiling (equal jitter)', () => {
    expect(retryDelaySeconds(backoff, 3, () => 0)).toBe(20);
    expect(retryDelaySeconds(backoff, 3, () => 0.5)).toBe(30);
    expect(retryDelaySeconds(backoff, 3, () => 0.999_999)).toBe(39);
    const full = { ...backoff, jitter: 'full' as const };
    expect([0, 0.5, 0.999_999].map((r) => retryDelaySeconds(full, 3, () => r))).toEqual([
      0, 20, 39,
    ]);
    expect(shortestRetrySpanSeconds({ maxAttempts: 8, backoff: full })).toBe(0);
  });

  it('gives every shipped job attempts that outlast a three-minute outage of its target', () => {
    // The chaos suite stops OpenSearch for about a minute; a domain's blue/green restart or a
    // node replacement takes minutes. No draw of the jitter may exhaust a job's attempts sooner.
    for (const job of Object.values(JOBS)) {
      expect(shortestRetrySpanSeconds(job.settings), job.name).toBeGreaterThanOrEqual(180);
    }
    expect(
      shortestRetrySpanSeconds({ maxAttempts: 5, backoff: { baseSeconds: 5, capSeconds: 120 } }),
    ).toBe(37);
  });

  it("honours the target's Retry-After and never reaches the 12-hour cap", () => {
    expect(retryDelaySeconds(backoff, 1, () => 0, 42.5)).toBe(43);
    const huge = { baseSeconds: 43_199, capSeconds: 43_199 };
    // Below 12 hours by the longest batching window and invocation: SQS counts from receipt.
    expect(retryDelaySeconds(huge, 30, () => 0.999_999, 10 ** 9)).toBe(MAX_RETRY_DELAY_SECONDS);
    expect(MAX_RETRY_DELAY_SECONDS).toBe(SQS_MAX_VISIBILITY_SECONDS - 1_200);
  });

  it('keeps every shipped job inside retention and the visibility cap', () => {
    for (const job of Object.values(JOBS)) {
      const { maxAttempts, backoff: b } = job.settings;
      expect(b.capSeconds).toBeLessThan(SQS_MAX_VISIBILITY_SECONDS);
      expect(maxAttempts * b.capSeconds).toBeLessThanOrEqual(2 * 86_400);
    }
  });
});

describe('AimdLimiter', () => {
  it('halves on throttling and grows by about one per window of successes', () => {
    const limiter = new AimdLimiter({ initial: 8, max: 10 });
    limiter.onThrottle();
    expect(limiter.limit).toBe(4);
    limiter.onThrottle();
    limiter.onThrottle();
    limiter.onThrottle();
    expect(limiter.limit).toBe(1);
    for (let i = 0; i < 3; i++) limiter.onSuccess();
    expect(limiter.limit).toBe(2);
    for (let i = 0; i < 200; i++) limiter.onSuccess();
    expect(limiter.limit).toBe(10);
  });
});

/** `n` SQS records of jobs of `job`, with message ids m0, m1, … */
const jobRecords = (n: number, job = 'audit') =>
  Array.from({ length: n }, (_, i) => sqsRecord(jobMessage(job, i), { messageId: `m${i}` }));

const event = (n: number): SQSEvent => ({ Records: jobRecords(n) });

describe('backpressure', () => {
  const definition = auditJob({ idempotency: 'natural' });

  it('stops the batch at the first throttle, defers the rest uncounted and lowers the limit', async () => {
    const kit = testJobDeps(definition, { limiter: new AimdLimiter({ initial: 1, max: 1 }) });
    const perform = vi.fn(async (c: JobContext) => {
      if (c.message.provenance.offset === 1)
        throw new ThrottledError('429', { retryAfterSeconds: 30 });
    });
    const handler = defineJob(definition, { perform }, kit.deps);
    const response = await handler(event(5));
    expect(perform).toHaveBeenCalledTimes(2); // m0 ok, m1 throttled, m2..m4 never started
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      'm1',
      'm2',
      'm3',
      'm4',
    ]);
    // Deferred: Retry-After plus the first backoff step's equal jitter (random 0.5: 7 of 10 s).
    expect(kit.sqs.visibility.map((v) => v.seconds)).toEqual([30, 37, 37, 37]);
    expect(kit.metric(M.deferred, { Job: 'audit' })).toBe(3);
    expect(kit.metric(M.throttled, { Job: 'audit' })).toBe(1);
    // Only the throttled job has a record (attempt 1); the deferred ones have none.
    const records = kit.dynamo.table('sluice-test-job-records');
    expect([...records.keys()]).toEqual([jobMessage('audit', 1).jobId]);
  });

  it('defers within what SQS leaves of its 12 hours whatever Retry-After the target asks for', async () => {
    const kit = testJobDeps(definition, { limiter: new AimdLimiter({ initial: 1, max: 1 }) });
    const perform = vi.fn(async () => {
      throw new ThrottledError('429', { retryAfterSeconds: 7 * 24 * 3600 });
    });
    const handler = defineJob(definition, { perform }, kit.deps);
    await handler(event(3));
    expect(kit.sqs.visibility.map((v) => v.seconds)).toEqual([42_000, 42_000, 42_000]);
  });

  it('runs up to the limit at once and halves it after a throttled batch', async () => {
    // No additive increase here, to see the decrease alone.
    const limiter = new AimdLimiter({ initial: 4, max: 4, increase: 0 });
    const kit = testJobDeps(definition, { limiter });
    let inFlight = 0;
    let peak = 0;
    const handler = defineJob(
      definition,
      {
        perform: async () => {
          peak = Math.max(peak, ++inFlight);
          await new Promise((r) => setTimeout(r, 5));
          inFlight--;
        },
      },
      kit.deps,
    );
    await handler(event(10));
    expect(peak).toBe(4);
    limiter.onThrottle();
    peak = 0;
    await handler(event(10));
    expect(peak).toBe(2);
  });
});

describe('batch jobs', () => {
  const definition = JOBS['index-product'];

  it('gives the chunk to performBatch and settles each job by its own result', async () => {
    const kit = testJobDeps(definition);
    const performBatch = vi.fn(async (jobs: readonly JobContext[]) =>
      jobs.map((_, i) =>
        i === 1
          ? failed(new TransientError('bulk item 503'))
          : i === 2
            ? failed(new PermanentError('mapper_parsing_exception'))
            : i === 3
              ? discard('stale')
              : undefined,
      ),
    );
    const handler = defineBatchJob(definition, { performBatch }, kit.deps);
    const records = jobRecords(5, 'index-product');
    const response = await handler({ Records: records });
    expect(performBatch).toHaveBeenCalledOnce();
    expect(performBatch.mock.calls[0]?.[0]).toHaveLength(5);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(kit.sqs.sent.map((s) => s.attributes.reason)).toEqual(['JOB_FAILED']);
    expect(kit.metric(M.succeeded, { Job: 'index-product' })).toBe(2);
    expect(kit.metric(M.discarded, { Job: 'index-product', Reason: 'stale' })).toBe(1);
  });

  it('fails every job of the chunk when performBatch throws', async () => {
    const kit = testJobDeps(definition);
    const handler = defineBatchJob(
      definition,
      {
        performBatch: async () => {
          throw new Error('connection reset');
        },
      },
      kit.deps,
    );
    const records = [0, 1, 2].map((i) => sqsRecord(jobMessage('index-product', i)));
    const response = await handler({ Records: records });
    expect(response.batchItemFailures).toHaveLength(3);
    expect(kit.metric(M.retried)).toBe(3);
  });

  it('halves once for a rejected chunk, not once per job, and leaves later chunks unattempted', async () => {
    const limiter = new AimdLimiter({ initial: 8, max: 8 });
    const kit = testJobDeps(definition, { limiter });
    const performBatch = vi.fn(async (jobs: readonly JobContext[]) =>
      jobs.map(() => failed(new ThrottledError('rejected_execution_exception'))),
    );
    const handler = defineBatchJob(definition, { performBatch }, kit.deps);
    const records = jobRecords(10, 'index-product');
    const response = await handler({ Records: records });
    expect(performBatch).toHaveBeenCalledOnce();
    expect(performBatch.mock.calls[0]?.[0]).toHaveLength(8);
    expect(response.batchItemFailures).toHaveLength(10);
    // One bulk request pushed back once: 8 → 4, not 8 → 1.
    expect(limiter.limit).toBe(4);
  });

  it('refuses the wrong entry point', () => {
    expect(() => defineJob(definition, { perform: async () => undefined })).toThrow(
      'defineBatchJob',
    );
  });
});
