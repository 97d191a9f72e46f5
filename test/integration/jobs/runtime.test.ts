/**
 * The job runtime against real services: ElasticMQ (SQS) and moto (DynamoDB) locally, or
 * whatever the standard AWS variables point at. A small event-source stand-in (esm.ts)
 * receives batches, calls the handler and deletes what it acknowledged.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { defineJob } from '../../../functions/jobs/define-job';
import {
  DEFAULT_JOB_SETTINGS,
  type JobSettings,
  jobDefinition,
} from '../../../functions/jobs/job-definition';
import { discard, snooze } from '../../../functions/jobs/outcomes';
import type { JobDeps } from '../../../functions/jobs/runtime/job-deps';
import type { JobContext } from '../../../functions/jobs/runtime/run-types';
import type { IdempotencyStore } from '../../../functions/jobs/stores/idempotency-store';
import { JobRecords } from '../../../functions/jobs/stores/job-records';
import type { DeadLetter } from '../../../functions/queues/dead-letter';
import type { JobMessage } from '../../../functions/queues/job-message';
import { PermanentError, TransientError } from '../../../functions/shared/errors';
import { resourceName } from '../../../functions/topology/naming';
import { type JobName, METRICS, TABLES } from '../../../functions/topology/topology';
import { localS3Options } from '../../../local/provision/queues';
import {
  deadLettersIn,
  deliver,
  type Handler,
  messagesIn,
  pollUntil,
  queueArn,
  receive,
} from '../../support/esm';
import { jobContainerDeps } from '../../support/job-container';
import { jobMessage } from '../../support/job-runtime-fakes';
import { useLocalStage } from '../../support/local-stage';
import { captureMetrics } from '../../support/router';

const localStage = useLocalStage('jobs', { indexes: false });
const { stage, sqs, dynamodb } = localStage;
const s3 = new S3Client(localS3Options);
const records = new JobRecords(dynamodb, resourceName(stage, TABLES.jobRecords.name), 3600);

const url = (logical: string) => localStage.queueUrl(logical);

/** A job with fast retries (backoff draws 0) and a 2-second idempotency lease. */
function job(
  name: JobName,
  perform: (context: JobContext) => Promise<unknown>,
  settings: Partial<JobSettings> = {},
): { handler: Handler; deps: JobDeps } {
  const definition = jobDefinition({
    name,
    description: 'integration',
    eventTypes: ['*'],
    batch: false,
    access: {},
    settings: {
      ...DEFAULT_JOB_SETTINGS,
      maxAttempts: 3,
      backoff: { baseSeconds: 1, capSeconds: 1 },
      idempotency: 'natural',
      ...settings,
    },
  });
  const deps = jobContainerDeps(definition, localStage, {
    claimChecks: s3,
    leaseSeconds: 2,
    metricSink: captureMetrics({ Job: name }),
  });
  const handler = defineJob(definition, { perform: (c) => perform(c) as Promise<undefined> }, deps);
  return { handler, deps };
}

async function send(name: JobName, message: JobMessage): Promise<void> {
  await sqs.send(
    new SendMessageCommand({ QueueUrl: url(`job-${name}`), MessageBody: JSON.stringify(message) }),
  );
}

const inQueue = (queueUrl: string) => messagesIn(sqs, queueUrl);

/**
 * Delivers the job's queue to `handler` until `until` holds, then 2.5 s more: long enough
 * for anything left (a retry, a redelivery) to run. Returns whether `until` held in time.
 */
async function deliverUntil(
  name: JobName,
  handler: Handler,
  until: () => boolean,
): Promise<boolean> {
  const held = await pollUntil(sqs, url(`job-${name}`), handler, until);
  await pollUntil(sqs, url(`job-${name}`), handler, () => false, 2_500);
  return held;
}

async function dlqLetters(name: JobName): Promise<DeadLetter[]> {
  return deadLettersIn(sqs, url(`job-${name}-dlq`));
}

describe('job runtime on ElasticMQ and moto', () => {
  it('a job failing transiently twice then succeeding runs its effect once', async () => {
    let calls = 0;
    let effects = 0;
    const { handler } = job('audit', async () => {
      calls++;
      if (calls <= 2) throw new TransientError(`busy ${calls}`);
      effects++;
    });
    const message = jobMessage('audit', 1);
    await send('audit', message);
    // Then nothing left to run, nothing dead-lettered.
    expect(await deliverUntil('audit', handler, () => effects > 0)).toBe(true);
    expect({ calls, effects }).toEqual({ calls: 3, effects: 1 });
    expect(await dlqLetters('audit')).toEqual([]);
    const record = await records.get(message.jobId);
    expect(record).toMatchObject({ state: 'completed', attempts: 3 });
    expect(record?.history.map((h) => h.message)).toEqual(['busy 1', 'busy 2']);
  });

  it('a permanent failure is in the DLQ after one attempt, with its reason', async () => {
    let calls = 0;
    const { handler } = job('record-commission', async () => {
      calls++;
      throw new PermanentError('seller unknown');
    });
    const message = jobMessage('record-commission', 2);
    await send('record-commission', message);
    await deliverUntil('record-commission', handler, () => calls > 0);
    expect(calls).toBe(1);
    const letters = await dlqLetters('record-commission');
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      stage: 'job',
      reason: 'JOB_FAILED',
      error: { class: 'PermanentError', message: 'seller unknown' },
      job: { name: 'record-commission', jobId: message.jobId, attempts: 1, message },
    });
    expect(letters[0]?.job?.sourceQueue).toContain('job-record-commission');
    expect((await records.get(message.jobId))?.state).toBe('dead');
  });

  it('a job exhausting its attempts is in the DLQ with its last error', async () => {
    let calls = 0;
    const { handler } = job('detect-login-abuse', async () => {
      calls++;
      throw new Error(`timeout ${calls}`);
    });
    const message = jobMessage('detect-login-abuse', 3);
    await send('detect-login-abuse', message);
    await deliverUntil('detect-login-abuse', handler, () => calls >= 3);
    expect(calls).toBe(3);
    const letters = await dlqLetters('detect-login-abuse');
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      reason: 'ATTEMPTS_EXHAUSTED',
      error: { class: 'Error', message: 'timeout 3' },
      job: { attempts: 3, maxAttempts: 3 },
    });
    expect(letters[0]?.history.map((h) => h.message)).toEqual([
      'timeout 1',
      'timeout 2',
      'timeout 3',
    ]);
    expect(await records.get(message.jobId)).toMatchObject({ state: 'dead', attempts: 3 });
  });

  it('concurrent duplicate deliveries run the effect once', async () => {
    let effects = 0;
    const work = async () => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      effects++;
    };
    // Two containers, each with its own deps, sharing the tables.
    const a = job('sync-customer', work, { idempotency: 'store' });
    const b = job('sync-customer', work, { idempotency: 'store' });
    const message = jobMessage('sync-customer', 4);
    await send('sync-customer', message);
    await send('sync-customer', message);
    const queue = url('job-sync-customer');
    const arn = await queueArn(sqs, queue);
    const [first, second] = await receive(sqs, queue, 2);
    expect(second).toBeDefined();
    const [ra, rb] = await Promise.all([
      deliver(sqs, queue, arn, a.handler, [first as never]),
      deliver(sqs, queue, arn, b.handler, [second as never]),
    ]);
    // One ran, the other found the claim held and came back after the lease.
    expect(ra.batchItemFailures.length + rb.batchItemFailures.length).toBe(1);
    const drained = await pollUntil(
      sqs,
      queue,
      b.handler,
      async () => (await inQueue(queue)) === 0,
    );
    expect(drained).toBe(true);
    const duplicates = (b.deps.metricSink as ReturnType<typeof captureMetrics>).published.filter(
      (m) => m.name === METRICS.jobs.duplicates && m.dimensions.Job === 'sync-customer',
    );
    expect(duplicates.map((m) => m.value)).toEqual([1]);
    expect(effects).toBe(1);
    expect(await dlqLetters('sync-customer')).toEqual([]);
  });

  it('an expired IN_PROGRESS lease is taken over after waiting past it', async () => {
    const deps = job('index-product', async () => undefined, { idempotency: 'store' }).deps;
    const store = deps.idempotency as IdempotencyStore;
    const message = jobMessage('index-product', 5);
    // A run that claimed the job and then died (timed out) without releasing it.
    const crashed = await store.claim(message.jobId, 'index-product', new Date());
    expect(crashed.status).toBe('claimed');
    const held = await store.claim(message.jobId, 'index-product', new Date());
    expect(held.status).toBe('in-progress');
    await new Promise((resolve) => setTimeout(resolve, 3_200)); // lease 2 s, whole seconds
    let effects = 0;
    const { handler } = job(
      'index-product',
      async () => {
        effects++;
      },
      { idempotency: 'store' },
    );
    await send('index-product', message);
    await pollUntil(sqs, url('job-index-product'), handler, () => effects > 0, 8_000);
    expect(effects).toBe(1);
    const again = await store.claim(message.jobId, 'index-product', new Date());
    expect(again.status).toBe('completed');
  });

  it('job records show each state, by job id and by job type + state', async () => {
    let snoozed = false;
    const { handler } = job(
      'audit',
      async ({ message, attempt }) => {
        const n = message.provenance.offset;
        if (n === 10 && attempt === 1) throw new TransientError('first try fails');
        if (n === 11) throw new PermanentError('never');
        if (n === 12) return discard('obsolete');
        if (n === 13 && !snoozed) {
          snoozed = true;
          return snooze(1);
        }
        // Long enough for the watcher to see the retry "executing".
        if (n === 10) await new Promise((resolve) => setTimeout(resolve, 1_500));
        return undefined;
      },
      { successRecords: 'on' },
    );
    const messages = [10, 11, 12, 13].map((n) => jobMessage('audit', n));
    for (const m of messages) await send('audit', m);
    // States seen per job, polled between deliveries and while a job runs.
    const seen = messages.map(() => new Set<string>());
    const look = async () => {
      const states = await Promise.all(messages.map((m) => records.get(m.jobId)));
      states.forEach((r, i) => {
        if (r) seen[i]?.add(r.state);
      });
      return states.map((r) => r?.state);
    };
    const watcher = setInterval(() => void look(), 200);
    const final = ['completed', 'dead', 'discarded', 'completed'];
    try {
      await pollUntil(sqs, url('job-audit'), handler, async () => {
        return JSON.stringify(await look()) === JSON.stringify(final);
      });
    } finally {
      clearInterval(watcher);
    }
    expect(await look()).toEqual(final);
    expect([...(seen[0] ?? [])].sort()).toEqual(['completed', 'executing', 'retryable']);
    expect(seen[3]?.has('completed')).toBe(true);
    for (const [state, m] of [
      ['completed', messages[0]],
      ['dead', messages[1]],
      ['discarded', messages[2]],
      ['completed', messages[3]],
    ] as const) {
      const found = await records.byState('audit', state);
      expect(found.map((r) => r.jobId)).toContain(m?.jobId);
    }
    expect(await inQueue(url('job-audit'))).toBe(0);
  });

  // The only job whose DLQ the other tests leave empty.
  it('a dead letter too large for SQS is claim-checked to S3, and a redrive runs the original job', async () => {
    let fixed = false;
    const seen: unknown[] = [];
    const { handler } = job('sync-customer', async ({ event }) => {
      if (!fixed) throw new PermanentError('rates missing');
      seen.push(event);
    });
    // A job message just under the 1 MiB limit: its dead letter (message + failure) is over.
    const base = jobMessage('sync-customer', 20);
    const room = 1_048_576 - 200 - JSON.stringify(base).length;
    // In strings of 60,000 characters: the contract allows none longer than 65,536.
    const pieces = Math.ceil(room / 60_000);
    const piece = 'x'.repeat(Math.floor((room - 3 * pieces) / pieces));
    const event = { ...(base.event as object), note: Array.from({ length: pieces }, () => piece) };
    const message = { ...base, event };
    await send('sync-customer', message);
    const queue = url('job-sync-customer');
    await pollUntil(
      sqs,
      queue,
      handler,
      async () => (await inQueue(url('job-sync-customer-dlq'))) > 0,
    );

    const [pointer] = await receive(sqs, url('job-sync-customer-dlq'), 1, 0);
    expect(pointer?.MessageAttributes?.claimCheck?.StringValue).toBe('true');
    const letter = JSON.parse(pointer?.Body ?? '') as DeadLetter;
    expect(letter).toMatchObject({ stage: 'job', error: { message: 'rates missing' } });
    expect(letter.job?.message).toBeUndefined();
    expect(letter.job?.jobId).toBe(message.jobId);
    const stored = await s3.send(
      new GetObjectCommand({
        Bucket: localStage.provisioned.claimCheckBucket,
        Key: letter.claimCheck?.key,
      }),
    );
    const whole = JSON.parse((await stored.Body?.transformToString()) ?? '') as DeadLetter;
    expect(whole.job?.message).toEqual(message);

    // Fix, then redrive the DLQ into the job's queue: the runtime reads the letter back.
    fixed = true;
    await sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: await queueArn(sqs, url('job-sync-customer-dlq')),
        DestinationArn: await queueArn(sqs, queue),
      }),
    );
    expect(await pollUntil(sqs, queue, handler, () => seen.length > 0)).toBe(true);
    expect(seen).toEqual([event]);
    expect(await records.get(message.jobId)).toMatchObject({ state: 'completed' });
    expect(await inQueue(url('job-sync-customer-dlq'))).toBe(0);
  });
});
