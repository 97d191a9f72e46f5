/**
 * Messages and jobs that misbehave: a malformed job message or event is dead-lettered at
 * once (never retried, never failing the batch), a job throwing something that is not an
 * Error is described and retried with its claim released, a single job that hangs is timed
 * out before the function is and its attempt counted, and a lease shorter than the function
 * timeout is refused.
 */
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { defineJob } from '../../../functions/jobs/define-job';
import type { JobSettings } from '../../../functions/jobs/job-definition';
import { readJobRuntimeConfig } from '../../../functions/jobs/runtime/job-config';
import type { JobContext } from '../../../functions/jobs/runtime/run-types';
import type { DeadLetter } from '../../../functions/queues/dead-letter';
import { auditJob, jobMessage, sqsRecord, testJobDeps } from '../../support/job-runtime-fakes';

function setup(settings: Partial<JobSettings>, perform: (c: JobContext) => Promise<unknown>) {
  const definition = auditJob({ maxAttempts: 3, ...settings });
  const kit = testJobDeps(definition);
  const spy = vi.fn(perform);
  const handler = defineJob(definition, { perform: (c) => spy(c) as Promise<undefined> }, kit.deps);
  const letters = () => kit.sqs.sent.map((m) => JSON.parse(m.body) as DeadLetter);
  return { ...kit, handler, spy, letters };
}

const event = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

describe('malformed job messages', () => {
  it.each([
    ['event null', { event: null }],
    ['event an array', { event: [] }],
    ['provenance missing', { provenance: undefined }],
    ['jobId a number', { jobId: 42 }],
    ['version 2', { v: 2 }],
  ])(
    '%s: NOT_A_JOB dead letter with the raw body; the good job of the batch runs',
    async (_label, change) => {
      const { handler, spy, letters } = setup({ idempotency: 'natural' }, async () => undefined);
      const bad = JSON.stringify({ ...jobMessage('audit', 1), ...change });
      const response = await handler(
        event(
          sqsRecord(bad, { messageId: 'bad' }),
          sqsRecord(jobMessage('audit', 2), { messageId: 'good' }),
        ),
      );
      expect(response.batchItemFailures).toEqual([]);
      expect(spy).toHaveBeenCalledOnce();
      const [letter] = letters();
      expect(letter?.reason).toBe('NOT_A_JOB');
      expect(letter?.job?.body).toBe(bad);
    },
  );

  it('an event that breaks its schema is dead-lettered as INVALID_EVENT before perform, not retried', async () => {
    const { handler, spy, letters } = setup({ idempotency: 'store' }, async () => undefined);
    const message = jobMessage('audit', 1);
    const broken = {
      ...message,
      event: { ...(message.event as object), data: { catalogVersion: 1 } },
    };
    const response = await handler(event(sqsRecord(broken, { messageId: 'm1' })));
    expect(response.batchItemFailures).toEqual([]);
    expect(spy).not.toHaveBeenCalled();
    const [letter] = letters();
    expect(letter?.reason).toBe('INVALID_EVENT');
    expect(letter?.error.message).toContain('/data');
    expect(letter?.job?.message?.jobId).toBe(message.jobId); // redrivable after a fix
    expect(letter?.job?.attempts).toBe(0);
  });
});

describe('events of other versions', () => {
  const withEvent = (change: Record<string, unknown>) => {
    const message = jobMessage('audit', 1);
    return { ...message, event: { ...(message.event as object), ...change } };
  };

  it('runs an event of a version or type newer than this code knows (a newer router sent it)', async () => {
    const { handler, spy, letters } = setup({ idempotency: 'natural' }, async () => undefined);
    await handler(
      event(
        sqsRecord(withEvent({ dataversion: 2, data: { anything: true } })),
        sqsRecord(withEvent({ type: 'PRODUCT_ARCHIVED' })),
      ),
    );
    expect(spy).toHaveBeenCalledTimes(2);
    expect(letters()).toEqual([]);
  });

  it('dead-letters an event at an older version than its latest: jobs only get the latest', async () => {
    const { handler, spy, letters } = setup({ idempotency: 'natural' }, async () => undefined);
    const message = jobMessage('audit', 1);
    const v1 = {
      ...message,
      event: {
        ...(message.event as object),
        type: 'ITEM_SOLD',
        dataversion: 1,
        data: { orderId: 'o', soldAt: '2026-11-28T09:30:00Z', currency: 'EUR', lines: [] },
      },
    };
    await handler(event(sqsRecord(v1)));
    expect(spy).not.toHaveBeenCalled();
    expect(letters().map((l) => [l.reason, l.error.message])).toEqual([
      ['INVALID_EVENT', expect.stringContaining('latest version, 2')],
    ]);
  });
});

describe('jobs that throw what is not an Error', () => {
  it.each([
    ['an object without a prototype', () => Object.create(null)],
    ['a string', () => 'nope'],
    [
      'a Proxy whose traps throw',
      () =>
        new Proxy(
          {},
          {
            getPrototypeOf: () => {
              throw new Error('trap');
            },
            get: () => {
              throw new Error('trap');
            },
          },
        ),
    ],
  ])('%s: described, retried, claim released', async (_label, thrown) => {
    const kit = setup({ idempotency: 'store' }, async () => {
      throw thrown();
    });
    const message = jobMessage('audit');
    const response = await kit.handler(event(sqsRecord(message, { messageId: 'm1' })));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(kit.dynamo.table('sluice-test-idempotency').has(message.jobId)).toBe(false);
    const record = kit.dynamo.table('sluice-test-job-records').get(message.jobId);
    expect(record?.state).toEqual({ S: 'retryable' });
    expect(record?.lastErrorClass?.S).toMatch(/^Thrown /);
  });
});

describe('a single job that hangs', () => {
  it('is timed out 5 s before the function, counted as an attempt, its claim kept', async () => {
    const kit = setup({ idempotency: 'store' }, () => new Promise(() => undefined));
    const message = jobMessage('audit');
    let remaining = 6_000;
    const started = Date.now();
    const response = await kit.handler(event(sqsRecord(message, { messageId: 'm1' })), {
      getRemainingTimeInMillis: () => remaining - (Date.now() - started),
    });
    remaining = 0;
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    const record = kit.dynamo.table('sluice-test-job-records').get(message.jobId);
    expect(record).toMatchObject({
      state: { S: 'retryable' },
      attempts: { N: '1' },
      lastErrorClass: { S: 'JobTimedOutError' },
    });
    // The hung copy may still run: a duplicate must wait for the lease.
    expect(kit.dynamo.table('sluice-test-idempotency').has(message.jobId)).toBe(true);
  });

  it('is not started when too little time is left, and nothing is counted', async () => {
    const kit = setup({ idempotency: 'natural' }, async () => undefined);
    const response = await kit.handler(event(sqsRecord(jobMessage('audit'), { messageId: 'm1' })), {
      getRemainingTimeInMillis: () => 4_000,
    });
    expect(kit.spy).not.toHaveBeenCalled();
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
  });
});

describe('the idempotency lease', () => {
  const definition = auditJob({ timeoutSeconds: 60 });
  const env = (lease: string) => ({
    SLUICE_STAGE: 'test',
    SLUICE_QUEUE_URL_BASE: 'https://sqs.eu-west-1.amazonaws.com/123456789012/',
    SLUICE_JOB_LEASE_SECONDS: lease,
  });

  it('must outlast the function timeout', () => {
    expect(() => readJobRuntimeConfig(env('1'), definition)).toThrow(/SLUICE_JOB_LEASE_SECONDS=1/);
    expect(() => readJobRuntimeConfig(env('60'), definition)).toThrow(
      /at least the function timeout/,
    );
    expect(readJobRuntimeConfig(env('65'), definition).leaseSeconds).toBe(65);
  });
});
