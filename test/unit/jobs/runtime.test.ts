import { DeleteItemCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { defineJob } from '../../../functions/jobs/define-job';
import type { JobSettings } from '../../../functions/jobs/job-definition';
import { discard, snooze } from '../../../functions/jobs/outcomes';
import type { JobContext } from '../../../functions/jobs/runtime/run-types';
import type { DeadLetter } from '../../../functions/queues/dead-letter';
import {
  PermanentError,
  RecordRejectedError,
  TransientError,
} from '../../../functions/shared/errors';
import { METRICS } from '../../../functions/topology/topology';
import {
  auditJob,
  jobMessage,
  QUEUE_BASE,
  sqsRecord,
  testJobDeps,
} from '../../support/job-runtime-fakes';

const M = METRICS.jobs;
const DLQ = `${QUEUE_BASE}sluice-test-job-audit-dlq`;
const QUEUE = `${QUEUE_BASE}sluice-test-job-audit`;

function definition(settings: Partial<JobSettings> = {}) {
  return auditJob({
    maxAttempts: 3,
    backoff: { baseSeconds: 10, capSeconds: 60 },
    idempotency: 'natural',
    successRecords: 'off',
    ...settings,
  });
}

const event = (...records: SQSRecord[]): SQSEvent => ({ Records: records });
type Perform = (context: JobContext) => Promise<unknown>;

function setup(settings: Partial<JobSettings> = {}, perform: Perform = async () => undefined) {
  const kit = testJobDeps(definition(settings));
  const spy = vi.fn(perform);
  const handler = defineJob(
    kit.deps.definition,
    { perform: (c) => spy(c) as Promise<undefined> },
    kit.deps,
  );
  const record = (jobId: string) =>
    kit.dynamo.table('sluice-test-job-records').get(jobId) as
      | Record<string, { S?: string; N?: string }>
      | undefined;
  return { ...kit, handler, spy, record };
}

/** Another worker holds the job's idempotency lease for `seconds` more (the kit's clock). */
function leaseHeldElsewhere(kit: ReturnType<typeof setup>, jobId: string, seconds: number) {
  const now = kit.deps.now().getTime() / 1000;
  kit.dynamo.table('sluice-test-idempotency').set(jobId, {
    key: { S: jobId },
    status: { S: 'IN_PROGRESS' },
    token: { S: 'other' },
    expiresAt: { N: String(now + seconds) },
  });
}

describe('job runtime outcomes', () => {
  it('success of a natural job with records off makes no AWS call at all', async () => {
    const { handler, sqs, dynamo, metric, spy } = setup();
    const message = jobMessage('audit');
    const response = await handler(event(sqsRecord(message)));
    expect(response.batchItemFailures).toEqual([]);
    expect(spy).toHaveBeenCalledOnce();
    expect(spy.mock.calls[0]?.[0]).toMatchObject({ jobId: message.jobId, attempt: 1 });
    expect(dynamo.mock.calls()).toHaveLength(0);
    expect(sqs.mock.calls()).toHaveLength(0);
    expect(metric(M.succeeded, { Job: 'audit' })).toBe(1);
    expect(metric(M.attempts, { Job: 'audit' })).toBe(1);
  });

  it('a transient failure is retried after a jittered backoff and recorded', async () => {
    const { handler, sqs, metric, record } = setup({}, async () => {
      throw new TransientError('target busy');
    });
    const message = jobMessage('audit');
    const response = await handler(event(sqsRecord(message, { messageId: 'm1' })));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    // Equal jitter, random 0.5: 5 + 0.5 × 5 of the first retry's 10 s ceiling, floored.
    expect(sqs.visibility).toEqual([{ receiptHandle: 'rh-m1', seconds: 7 }]);
    expect(sqs.sent).toEqual([]);
    expect(record(message.jobId)).toMatchObject({
      state: { S: 'retryable' },
      attempts: { N: '1' },
      messageId: { S: 'm1' },
      lastErrorClass: { S: 'TransientError' },
      lastErrorMessage: { S: 'target busy' },
      jobTypeState: { S: 'audit#retryable' },
    });
    expect(metric(M.retried)).toBe(1);
  });

  it('an unclassified error is transient', async () => {
    const { handler, sqs } = setup({}, async () => {
      throw new Error('boom');
    });
    const response = await handler(event(sqsRecord(jobMessage('audit'), { messageId: 'm1' })));
    expect(response.batchItemFailures).toHaveLength(1);
    expect(sqs.sent).toEqual([]);
  });

  it('counts attempts from the job record, not from the receive count', async () => {
    const kit = setup({}, async () => {
      throw new TransientError('still busy');
    });
    const message = jobMessage('audit');
    await kit.handler(event(sqsRecord(message, { messageId: 'm1' })));
    // Receive count 5 (throttles in between), yet this is attempt 2.
    await kit.handler(event(sqsRecord(message, { messageId: 'm1', receiveCount: 5 })));
    expect(kit.spy.mock.calls.map((c) => c[0].attempt)).toEqual([1, 2]);
    expect(kit.record(message.jobId)?.attempts).toEqual({ N: '2' });
    expect(kit.sqs.visibility[1]?.seconds).toBe(15); // 10 + 0.5 × 10 of the 20 s ceiling
  });

  it('dead-letters a permanent failure after one attempt, with its reason, and acknowledges', async () => {
    const { handler, sqs, metric, record } = setup({}, async () => {
      throw new PermanentError('product has no price');
    });
    const message = jobMessage('audit');
    const response = await handler(event(sqsRecord(message, { messageId: 'm1' })));
    expect(response.batchItemFailures).toEqual([]);
    expect(sqs.visibility).toEqual([]);
    expect(sqs.sent).toHaveLength(1);
    const sent = sqs.sent[0];
    expect(sent?.queueUrl).toBe(DLQ);
    expect(sent?.attributes).toMatchObject({ stage: 'job', reason: 'JOB_FAILED', job: 'audit' });
    const letter = JSON.parse(sent?.body ?? '') as DeadLetter;
    expect(letter).toMatchObject({
      kind: 'sluice.dead-letter',
      stage: 'job',
      reason: 'JOB_FAILED',
      error: { class: 'PermanentError', message: 'product has no price' },
      codeVersion: 'test-sha',
      event: { id: 'evt-1', source: 'urn:shop:test', type: 'PRODUCT_PUBLISHED', version: 1 },
      job: {
        name: 'audit',
        jobId: message.jobId,
        attempts: 1,
        maxAttempts: 3,
        messageId: 'm1',
        sourceQueue: 'arn:aws:sqs:eu-west-1:123456789012:sluice-test-job-x',
        provenance: message.provenance,
        message,
      },
    });
    expect(letter.history).toHaveLength(1);
    expect(letter.firstFailedAt).toBe(letter.lastFailedAt);
    expect(record(message.jobId)).toMatchObject({
      state: { S: 'dead' },
      reason: { S: 'JOB_FAILED' },
    });
    expect(metric(M.deadLettered, { Job: 'audit', Reason: 'JOB_FAILED' })).toBe(1);
  });

  it('dead-letters the message as delivered, whatever the job did to the event it was given', async () => {
    const { handler, sqs } = setup({}, async (context) => {
      (context.event as { data: unknown }).data = { changedBy: 'the job' };
      throw new PermanentError('bad');
    });
    const message = jobMessage('audit');
    await handler(event(sqsRecord(message, { messageId: 'm1' })));
    const letter = JSON.parse(sqs.sent[0]?.body ?? '') as DeadLetter;
    expect(letter.job?.message).toEqual(message);
  });

  it("uses a permanent error's own reason", async () => {
    const { handler, sqs } = setup({}, async () => {
      throw new RecordRejectedError('SCHEMA_VIOLATION', 'bad data', '/data/x');
    });
    await handler(event(sqsRecord(jobMessage('audit'))));
    expect(sqs.sent[0]?.attributes.reason).toBe('SCHEMA_VIOLATION');
  });

  it('dead-letters the last allowed attempt with its last error and full history', async () => {
    let n = 0;
    const kit = setup({}, async () => {
      n++;
      throw new TransientError(`failure ${n}`);
    });
    const message = jobMessage('audit');
    for (let receive = 1; receive <= 3; receive++) {
      kit.advance(60_000);
      await kit.handler(event(sqsRecord(message, { messageId: 'm1', receiveCount: receive })));
    }
    expect(kit.spy).toHaveBeenCalledTimes(3);
    expect(kit.sqs.visibility).toHaveLength(2);
    const letter = JSON.parse(kit.sqs.sent[0]?.body ?? '') as DeadLetter;
    expect(letter.reason).toBe('ATTEMPTS_EXHAUSTED');
    expect(letter.error.message).toBe('failure 3');
    expect(letter.job?.attempts).toBe(3);
    expect(letter.history.map((h) => h.message)).toEqual(['failure 1', 'failure 2', 'failure 3']);
    expect(letter.firstFailedAt < letter.lastFailedAt).toBe(true);
    expect(kit.record(message.jobId)?.state).toEqual({ S: 'dead' });
    expect(kit.metric(M.attempts, { Job: 'audit' })).toBe(3);
  });

  it('snoozes: re-sends with a delay carrying the attempts, and acknowledges', async () => {
    const kit = setup({}, async () => snooze(120));
    const message = jobMessage('audit');
    const response = await kit.handler(event(sqsRecord(message)));
    expect(response.batchItemFailures).toEqual([]);
    expect(kit.sqs.sent).toEqual([
      {
        queueUrl: QUEUE,
        body: JSON.stringify(message),
        delaySeconds: 120,
        attributes: { 'sluice-attempts': '0' },
      },
    ]);
    expect(kit.metric(M.snoozed)).toBe(1);
    expect(snooze(5000)).toEqual({ kind: 'snooze', delaySeconds: 900 });
  });

  it('a snoozed job keeps its attempt count on the new message', async () => {
    const kit = setup({}, async () => undefined);
    const message = jobMessage('audit');
    await kit.handler(event(sqsRecord(message, { messageId: 'new', carriedAttempts: 2 })));
    expect(kit.spy.mock.calls[0]?.[0].attempt).toBe(3);
    expect(kit.record(message.jobId)?.state).toEqual({ S: 'completed' });
  });

  it('discards with a reason, a record and a metric', async () => {
    const kit = setup({}, async () => discard('superseded'));
    const message = jobMessage('audit');
    const response = await kit.handler(event(sqsRecord(message)));
    expect(response.batchItemFailures).toEqual([]);
    expect(kit.record(message.jobId)).toMatchObject({
      state: { S: 'discarded' },
      reason: { S: 'superseded' },
    });
    expect(kit.metric(M.discarded, { Job: 'audit', Reason: 'superseded' })).toBe(1);
  });

  it('dead-letters a body that is not a job message without running anything', async () => {
    const kit = setup();
    await kit.handler(event(sqsRecord('not json', { messageId: 'bad' })));
    await kit.handler(event(sqsRecord(jobMessage('sync-customer'))));
    expect(kit.spy).not.toHaveBeenCalled();
    const [first, second] = kit.sqs.sent.map((s) => JSON.parse(s.body) as DeadLetter);
    expect(first).toMatchObject({ reason: 'NOT_A_JOB', job: { body: 'not json', attempts: 0 } });
    expect(second?.reason).toBe('WRONG_JOB');
  });

  it('runs a job redriven from its DLQ afresh, appending to its history', async () => {
    const failing = setup({}, async () => {
      throw new PermanentError('bug');
    });
    const message = jobMessage('audit');
    await failing.handler(event(sqsRecord(message)));
    const letterBody = failing.sqs.sent[0]?.body as string;

    const fixed = setup({}, async () => {
      throw new PermanentError('another bug');
    });
    await fixed.handler(event(sqsRecord(letterBody, { messageId: 'redriven' })));
    expect(fixed.spy.mock.calls[0]?.[0]).toMatchObject({ jobId: message.jobId, attempt: 1 });
    const again = JSON.parse(fixed.sqs.sent[0]?.body ?? '') as DeadLetter;
    expect(again.history.map((h) => h.message)).toEqual(['bug', 'another bug']);
    expect(again.job?.message).toEqual(message);
  });

  it('keeps the message when the DLQ cannot be written, and dead-letters it next time without re-running', async () => {
    const kit = setup({}, async () => {
      throw new PermanentError('bad');
    });
    kit.sqs.mock.on(SendMessageCommand).rejectsOnce(new Error('SQS down'));
    const message = jobMessage('audit');
    const first = await kit.handler(event(sqsRecord(message, { messageId: 'm1' })));
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(kit.sqs.visibility).toEqual([]); // back at the queue's own visibility timeout

    const { sent } = kit.sqs;
    kit.sqs.mock.on(SendMessageCommand).callsFake((input) => {
      sent.push({ queueUrl: input.QueueUrl, body: input.MessageBody, attributes: {} });
      return {};
    });
    const second = await kit.handler(
      event(sqsRecord(message, { messageId: 'm1', receiveCount: 2 })),
    );
    expect(second.batchItemFailures).toEqual([]);
    expect(kit.spy).toHaveBeenCalledOnce();
    expect(JSON.parse(sent[0]?.body ?? '')).toMatchObject({ reason: 'JOB_FAILED' });
  });

  it('counts an attempt that never finished (left executing) and dead-letters at the limit', async () => {
    const kit = setup({ maxAttempts: 2 }, async () => new Promise(() => undefined));
    const message = jobMessage('audit');
    // Receive 2 writes "executing" then hangs (the function times out).
    void kit.handler(event(sqsRecord(message, { messageId: 'm1', receiveCount: 2 })));
    await vi.waitFor(() => expect(kit.record(message.jobId)?.state).toEqual({ S: 'executing' }));
    void kit.handler(event(sqsRecord(message, { messageId: 'm1', receiveCount: 3 })));
    await vi.waitFor(() => expect(kit.record(message.jobId)?.attempts).toEqual({ N: '2' }));
    const done = await kit.handler(event(sqsRecord(message, { messageId: 'm1', receiveCount: 4 })));
    expect(done.batchItemFailures).toEqual([]);
    const letter = JSON.parse(kit.sqs.sent[0]?.body ?? '') as DeadLetter;
    expect(letter.reason).toBe('ATTEMPTS_EXHAUSTED');
    expect(letter.error.class).toBe('AttemptInterrupted');
  });

  it('records successes when successRecords is on', async () => {
    const kit = setup({ successRecords: 'on' });
    const message = jobMessage('audit');
    await kit.handler(event(sqsRecord(message)));
    expect(kit.record(message.jobId)?.state).toEqual({ S: 'completed' });
    expect(kit.dynamo.mock.commandCalls(GetItemCommand)).toHaveLength(0);
    expect(kit.dynamo.mock.commandCalls(PutItemCommand)).toHaveLength(1);
  });

  it('samples success records at the configured rate', async () => {
    const sampled = setup({ successRecords: 'sampled', sampleRate: 0.4 }); // random is 0.5
    await sampled.handler(event(sqsRecord(jobMessage('audit'))));
    expect(sampled.dynamo.mock.calls()).toHaveLength(0);
    const kept = setup({ successRecords: 'sampled', sampleRate: 0.6 });
    await kept.handler(event(sqsRecord(jobMessage('audit'))));
    expect(kept.dynamo.mock.commandCalls(PutItemCommand)).toHaveLength(1);
  });
});

describe('idempotency store in the runtime', () => {
  it('claims, completes, and suppresses a true duplicate with a metric', async () => {
    const kit = setup({ idempotency: 'store' });
    const message = jobMessage('audit');
    await kit.handler(event(sqsRecord(message)));
    const claim = kit.dynamo.table('sluice-test-idempotency').get(message.jobId);
    expect(claim?.status).toEqual({ S: 'COMPLETED' });
    const response = await kit.handler(event(sqsRecord(message)));
    expect(response.batchItemFailures).toEqual([]);
    expect(kit.spy).toHaveBeenCalledOnce();
    expect(kit.metric(M.duplicates)).toBe(1);
  });

  it('releases the claim of a failed run so the retry runs again', async () => {
    let fail = true;
    const kit = setup({ idempotency: 'store' }, async () => {
      if (fail) throw new TransientError('busy');
    });
    const message = jobMessage('audit');
    await kit.handler(event(sqsRecord(message, { messageId: 'm1' })));
    expect(kit.dynamo.mock.commandCalls(DeleteItemCommand)).toHaveLength(1);
    fail = false;
    await kit.handler(event(sqsRecord(message, { messageId: 'm1', receiveCount: 2 })));
    expect(kit.spy).toHaveBeenCalledTimes(2);
    expect(kit.record(message.jobId)?.state).toEqual({ S: 'completed' });
  });

  it('after one early look, waits for the lease to end (receives count towards maxReceiveCount)', async () => {
    const kit = setup({ idempotency: 'store' });
    const message = jobMessage('audit');
    leaseHeldElsewhere(kit, message.jobId, 30);
    await kit.handler(event(sqsRecord(message, { messageId: 'm1', receiveCount: 2 })));
    // The store's lease end (31 s) plus one second.
    expect(kit.sqs.visibility[0]?.seconds).toBe(32);
  });

  it('leaves a redriven claim-checked dead letter alone when it cannot be read back', async () => {
    const kit = setup();
    const pointer = {
      kind: 'sluice.dead-letter',
      v: 1,
      stage: 'job',
      reason: 'JOB_FAILED',
      error: { class: 'PermanentError', message: 'x' },
      history: [],
      firstFailedAt: '2026-11-28T09:00:00.000Z',
      lastFailedAt: '2026-11-28T09:00:00.000Z',
      codeVersion: 'old',
      job: {
        name: 'audit',
        jobId: 'j1',
        attempts: 1,
        maxAttempts: 8,
        sourceQueue: 'q',
        messageId: 'm0',
      },
      claimCheck: { bucket: 'b', key: 'job/audit/j1/x.json', bytes: 2_000_000, sha256: 'ff' },
    };
    // No S3 client configured: neither run nor dead-letter it (that would wrap the pointer
    // in a new letter); it returns after the visibility timeout, SQS's redrive as the backstop.
    const response = await kit.handler(event(sqsRecord(pointer, { messageId: 'm1' })));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(kit.spy).not.toHaveBeenCalled();
    expect(kit.sqs.sent).toEqual([]);
    expect(kit.sqs.visibility).toEqual([]);
  });

  it('looks again no later than just after the lease ends', async () => {
    const kit = setup({ idempotency: 'store' });
    const message = jobMessage('audit');
    leaseHeldElsewhere(kit, message.jobId, 2);
    await kit.handler(event(sqsRecord(message, { messageId: 'm1' })));
    // The store reports the lease ending in 3 s (2 s, rounded up past the boundary); the
    // jittered backoff would be 5 s, so the lease's end plus one second wins.
    expect(kit.sqs.visibility[0]?.seconds).toBe(4);
  });

  it('defers a delivery whose job runs elsewhere, looking again before the lease ends, uncounted', async () => {
    const kit = setup({ idempotency: 'store' });
    const message = jobMessage('audit');
    leaseHeldElsewhere(kit, message.jobId, 30);
    const response = await kit.handler(event(sqsRecord(message, { messageId: 'm1' })));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(kit.spy).not.toHaveBeenCalled();
    // A jittered first backoff (random 0.5: 7 of base 10 s), well before the 30-second lease ends.
    expect(kit.sqs.visibility[0]?.seconds).toBe(7);
    expect(kit.metric(M.deferred)).toBe(1);
    // Past the lease: taken over.
    kit.advance(32_000);
    await kit.handler(event(sqsRecord(message, { messageId: 'm1', receiveCount: 2 })));
    expect(kit.spy).toHaveBeenCalledOnce();
  });
});
