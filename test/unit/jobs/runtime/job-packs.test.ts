/**
 * Job packs: the router's packer (functions/queues/job-pack.ts) and the runtime running each
 * job of a delivered pack as the job of its own message (functions/jobs/runtime/job-packs.ts):
 * a pack is acknowledged when all its jobs are, comes back whole when none is, and sends its
 * unfinished jobs again (with their attempts) when some are.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { type BatchItemResult, failed, snooze } from '../../../../functions/jobs';
import { defineBatchJob } from '../../../../functions/jobs/define-job';
import { readDelivery } from '../../../../functions/jobs/runtime/delivery';
import { UnpackedBatch } from '../../../../functions/jobs/runtime/job-packs';
import type { JobContext } from '../../../../functions/jobs/runtime/run-types';
import type { DeadLetter } from '../../../../functions/queues/dead-letter';
import type { JobMessage } from '../../../../functions/queues/job-message';
import {
  JOB_PACK_HEAD,
  JOB_PACK_MAX_BYTES,
  type JobPack,
  JobPacker,
  jobPackBody,
  readJobPack,
} from '../../../../functions/queues/job-pack';
import {
  type OutgoingMessage,
  sqsMessageBytes,
} from '../../../../functions/queues/sqs-batch-sender';
import { PermanentError, TransientError } from '../../../../functions/shared/errors';
import { METRICS } from '../../../../functions/topology/topology';
import { auditJob, jobMessage, sqsRecord, testJobDeps } from '../../../support/job-runtime-fakes';
import { captureLog } from '../../../support/router';

// Opening packs is made to fail for one message, 'broken' (a bug in opening a pack), so that
// a test can show what then happens to that message; every other record is made as shipped.
vi.mock('../../../../functions/jobs/runtime/packed-job-record', async (importOriginal) => {
  const original =
    await importOriginal<typeof import('../../../../functions/jobs/runtime/packed-job-record')>();
  class FailingForOneMessage extends original.PackedJobRecord {
    constructor(...args: ConstructorParameters<typeof original.PackedJobRecord>) {
      if (args[0].messageId === 'broken') throw new Error('a bug in opening packs');
      super(...args);
    }
  }
  return { ...original, PackedJobRecord: FailingForOneMessage };
});

const M = METRICS.jobs;

const packed = auditJob(
  { idempotency: 'natural', jobsPerMessage: 100, batchSize: 10, chunkSize: 50 },
  true,
);

const messages = (n: number, from = 1): JobMessage[] =>
  Array.from({ length: n }, (_, i) => jobMessage('audit', from + i));
const packOf = (jobs: readonly JobMessage[], attempts?: number[]) =>
  jobPackBody(
    jobs.map((j) => JSON.stringify(j)),
    attempts,
  );

/**
 * A body as LocalStack's SQS poller hands it to a function: parsed and written again by
 * Python's `json.dumps` (", " and ": " between items, non-ASCII as \\u escapes). SQS itself
 * delivers the bytes that were sent.
 */
function reencodedByPython(body: string): string {
  const write = (value: unknown): string => {
    if (Array.isArray(value)) return `[${value.map(write).join(', ')}]`;
    if (typeof value === 'object' && value !== null)
      return `{${Object.entries(value)
        .map(([k, v]) => `${write(k)}: ${write(v)}`)
        .join(', ')}}`;
    return JSON.stringify(value).replace(
      /[\u0080-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  };
  return write(JSON.parse(body));
}

/** Every record of a batch as the runtime runs it, each pack opened. */
function opened(event: SQSEvent): SQSRecord[] {
  const batch = new UnpackedBatch(event, captureLog());
  return Array.from({ length: batch.count() }, (_, i) => batch.record(i));
}

/** A batch job whose jobs fail with the error `errors` gives for their event number (`evt-<n>`). */
function runner(errors: (n: number) => Error | undefined) {
  const kit = testJobDeps(packed);
  const performBatch = vi.fn(
    async (contexts: readonly JobContext<unknown>[]): Promise<BatchItemResult[]> =>
      contexts.map((c) => {
        const error = errors(Number((c.message.event as { id: string }).id.slice(4)));
        return error === undefined ? undefined : failed(error);
      }),
  );
  const handler = defineBatchJob(packed, { performBatch }, kit.deps);
  return { kit, performBatch, handler };
}

describe('JobPacker', () => {
  const message = (n: number, bodyBytes = 1_000): OutgoingMessage & { n: number } => {
    const attributes = { job: 'audit', eventType: 'PRODUCT_PUBLISHED' };
    const body = JSON.stringify({ n, pad: 'x'.repeat(bodyBytes - 20) });
    return { n, queueUrl: 'q', body, attributes, bytes: sqsMessageBytes(body, attributes) };
  };

  it('packs jobs up to maxJobs, keeps the job attribute, and sends a lone job as it is', () => {
    const out: Array<OutgoingMessage | JobPack<OutgoingMessage>> = [];
    const packer = new JobPacker(3, (m) => out.push(m));
    for (let n = 1; n <= 7; n++) packer.add(message(n, 100));
    packer.flush();
    expect(out.map((m) => ('jobs' in m ? m.jobs.length : 'alone'))).toEqual([3, 3, 'alone']);
    const first = out[0] as JobPack<OutgoingMessage>;
    expect(first.body.startsWith(JOB_PACK_HEAD)).toBe(true);
    expect(first.attributes).toEqual({ job: 'audit' });
    expect(first.bytes).toBe(sqsMessageBytes(first.body, first.attributes));
    expect(readJobPack(first.body)?.jobs).toEqual(first.jobs.map((j) => JSON.parse(j.body)));
    expect(out[2]).toEqual(message(7, 100));
  });

  it('keeps a pack within 64 KB (or a smaller limit), and sends a job too big to share alone', () => {
    const out: Array<OutgoingMessage | JobPack<OutgoingMessage>> = [];
    const packer = new JobPacker(100, (m) => out.push(m));
    for (let n = 1; n <= 130; n++) packer.add(message(n));
    packer.add(message(999, JOB_PACK_MAX_BYTES));
    packer.flush();
    for (const m of out) if ('jobs' in m) expect(m.bytes).toBeLessThanOrEqual(JOB_PACK_MAX_BYTES);
    expect(out.map((m) => ('jobs' in m ? m.jobs.length : 'alone'))).toEqual([65, 'alone', 65]);
    const small: Array<OutgoingMessage | JobPack<OutgoingMessage>> = [];
    const limited = new JobPacker(100, (m) => small.push(m), 8_192);
    for (let n = 1; n <= 20; n++) limited.add(message(n));
    limited.flush();
    for (const m of small) expect(m.bytes).toBeLessThanOrEqual(8_192);
    expect(small.flatMap((m) => ('jobs' in m ? m.jobs : [m])).map((m) => m.body)).toEqual(
      Array.from({ length: 20 }, (_, i) => message(i + 1).body),
    );
  });

  it('reads only well-formed packs: jobs, and attempts of the same length', () => {
    const bodies = ['{"a":1}', '{"b":2}'];
    expect(readJobPack(jobPackBody(bodies))).toEqual({
      jobs: [{ a: 1 }, { b: 2 }],
      attempts: [0, 0],
    });
    expect(readJobPack(jobPackBody(bodies, [2, 0]))?.attempts).toEqual([2, 0]);
    expect(jobPackBody(bodies, [0, 0])).toBe(jobPackBody(bodies));
    expect(readJobPack(`${JOB_PACK_HEAD}]}`)).toBeUndefined();
    expect(readJobPack(`${JOB_PACK_HEAD}{"a":1}],"attempts":[1,2]}`)).toBeUndefined();
    expect(readJobPack(`${JOB_PACK_HEAD}{"a":1}],"attempts":[-1]}`)).toBeUndefined();
    expect(readJobPack(`${JOB_PACK_HEAD}{"a":`)).toBeUndefined();
    expect(readJobPack('{"jobs":[{"a":1}]}')).toBeUndefined();
  });

  it('tells a pack by its JSON, not its bytes: re-encoded on the way, it is the same pack', () => {
    const bodies = ['{"a":1}', '{"name":"Café ☕","n":[1,2]}'];
    const reencoded = reencodedByPython(jobPackBody(bodies, [2, 0]));
    expect(reencoded.startsWith('{"kind": "sluice.job-pack", "v": 1, "jobs": [{"a": 1}')).toBe(
      true,
    );
    expect(reencoded).toContain('Caf\\u00e9 \\u2615');
    expect(readJobPack(reencoded)).toEqual(readJobPack(jobPackBody(bodies, [2, 0])));
    // Spaced and broken over lines, the kind first: the same pack.
    expect(
      readJobPack(' {\n  "kind" : "sluice.job-pack",\n  "v": 1,\n  "jobs": [{"a": 1}]\n}')?.jobs,
    ).toEqual([{ a: 1 }]);
    // Every writer of packs puts the kind first; a body that does not is not looked into.
    expect(readJobPack('{"jobs":[{"a":1}],"v":1,"kind":"sluice.job-pack"}')).toBeUndefined();
  });

  it('does not take for a pack a job that mentions one, another version, or JSON that is no object', () => {
    const job = JSON.stringify({
      kind: 'sluice.job',
      event: { note: 'sluice.job-pack', jobs: [1] },
    });
    expect(readJobPack(job)).toBeUndefined();
    expect(readJobPack(reencodedByPython(job))).toBeUndefined();
    expect(readJobPack('{"kind":"sluice.job-pack","v":2,"jobs":[{"a":1}]}')).toBeUndefined();
    expect(readJobPack('"sluice.job-pack"')).toBeUndefined();
    expect(readJobPack('["sluice.job-pack"]')).toBeUndefined();
    expect(readJobPack('null')).toBeUndefined();
  });
});

describe('a delivered pack', () => {
  it('runs each job as its own and is acknowledged when every job succeeds', async () => {
    const { kit, performBatch, handler } = runner(() => undefined);
    const response = await handler({
      Records: [sqsRecord(packOf(messages(3)), { messageId: 'p1' }), sqsRecord(messages(1, 9)[0])],
    });
    expect(response.batchItemFailures).toEqual([]);
    expect(performBatch).toHaveBeenCalledOnce();
    expect(performBatch.mock.calls[0]?.[0].map((c) => c.message.jobId)).toEqual(
      [...messages(3), ...messages(1, 9)].map((m) => m.jobId),
    );
    expect(kit.metric(M.succeeded)).toBe(4);
    expect(kit.sqs.sent).toEqual([]);
  });

  it('reads its jobs from the pack as parsed once', () => {
    const jobs = messages(3);
    const record = sqsRecord(packOf(jobs, [0, 2, 0]), { messageId: 'p1' });
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const deliveries = opened({ Records: [record] }).map((r, i) => readDelivery(r, i, packed));
      expect(parse).toHaveBeenCalledOnce();
      expect(deliveries.map((d) => d.message)).toEqual(jobs);
      expect(deliveries.map((d) => [d.messageId, d.carriedAttempts])).toEqual([
        ['p1', 0],
        ['p1', 2],
        ['p1', 0],
      ]);
    } finally {
      parse.mockRestore();
    }
    expect(opened({ Records: [record] }).map((r) => r.body)).toEqual(
      jobs.map((j) => JSON.stringify(j)),
    );
  });

  it('opens a batch’s packs as they are reached, not all before the first job', () => {
    const records = [1, 4, 7].map((from, k) =>
      sqsRecord(packOf(messages(3, from)), { messageId: `p${k}` }),
    );
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const batch = new UnpackedBatch({ Records: records }, captureLog());
      expect(batch.has(2)).toBe(true);
      expect(parse).toHaveBeenCalledOnce();
      expect(batch.has(3)).toBe(true);
      expect(parse).toHaveBeenCalledTimes(2);
      expect(batch.has(9)).toBe(false);
      expect(parse).toHaveBeenCalledTimes(3);
    } finally {
      parse.mockRestore();
    }
    const batch = new UnpackedBatch({ Records: records }, captureLog());
    expect(batch.count()).toBe(9);
    expect(
      Array.from({ length: 9 }, (_, i) => [batch.owner(i), batch.record(i).messageId]),
    ).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2].map((k) => [k, `p${k}`]));
  });

  it('dead-letters a job as delivered, whatever it did to the event it was given', async () => {
    const { kit, performBatch, handler } = runner(() => undefined);
    performBatch.mockImplementation(async (contexts) =>
      contexts.map((c) => {
        (c.message.event as { data?: unknown }).data = { changedBy: 'the job' };
        return failed(new PermanentError('bad'));
      }),
    );
    await handler({ Records: [sqsRecord(packOf(messages(2)), { messageId: 'p1' })] });
    const letters = kit.sqs.sent.map((s) => JSON.parse(s.body ?? '') as DeadLetter);
    expect(letters.map((l) => l.job?.message)).toEqual(messages(2));
  });

  it('sends again the jobs as delivered, whatever a job did to the event it was given', async () => {
    const { kit, performBatch, handler } = runner((n) =>
      n === 2 ? new TransientError('one down') : undefined,
    );
    performBatch.mockImplementation(async (contexts) =>
      contexts.map((c) => {
        const event = c.message.event as { id: string; data?: unknown };
        event.data = { changedBy: 'the job' };
        return event.id === 'evt-2' ? failed(new TransientError('one down')) : undefined;
      }),
    );
    const response = await handler({
      Records: [sqsRecord(packOf(messages(3)), { messageId: 'p1' })],
    });
    expect(response.batchItemFailures).toEqual([]);
    expect(readJobPack(kit.sqs.sent[0]?.body ?? '')?.jobs).toEqual([messages(3)[1]]);
  });

  it('runs each job of a pack re-encoded on the way (as LocalStack delivers it) as its own', async () => {
    const { kit, performBatch, handler } = runner(() => undefined);
    const response = await handler({
      Records: [sqsRecord(reencodedByPython(packOf(messages(3))), { messageId: 'p1' })],
    });
    expect(response.batchItemFailures).toEqual([]);
    expect(performBatch.mock.calls[0]?.[0].map((c) => c.message)).toEqual(messages(3));
    expect(kit.metric(M.succeeded)).toBe(3);
    expect(kit.metric(M.deadLettered)).toBe(0);
  });

  it('comes back whole after the longest backoff when no job of it succeeds', async () => {
    const { kit, handler } = runner(() => new TransientError('down'));
    const response = await handler({
      Records: [sqsRecord(packOf(messages(3)), { messageId: 'p1' })],
    });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'p1' }]);
    expect(kit.sqs.visibility).toEqual([{ receiptHandle: 'rh-p1', seconds: expect.any(Number) }]);
    expect(kit.sqs.sent).toEqual([]);
    expect(kit.metric(M.retried)).toBe(3);
  });

  it('sends its unfinished jobs again with their attempts, and is acknowledged, when some succeed', async () => {
    const { kit, handler } = runner((n) => (n === 2 ? new TransientError('one down') : undefined));
    const response = await handler({
      Records: [sqsRecord(packOf(messages(3)), { messageId: 'p1' })],
    });
    expect(response.batchItemFailures).toEqual([]);
    expect(kit.sqs.visibility).toEqual([]);
    expect(kit.sqs.sent).toHaveLength(1);
    const again = kit.sqs.sent[0];
    expect(again?.queueUrl).toBe(kit.config.queueUrl);
    expect(again?.delaySeconds).toBeGreaterThan(0);
    const pack = readJobPack(again?.body ?? '');
    expect(pack?.jobs).toEqual([messages(3)[1]]);
    expect(pack?.attempts).toEqual([1]);

    // Delivered, it runs as attempt 2 and succeeds.
    const second = runner(() => undefined);
    const seen: number[] = [];
    second.performBatch.mockImplementation(async (contexts) => {
      for (const c of contexts) seen.push(c.attempt);
      return contexts.map(() => undefined);
    });
    const done = await second.handler({ Records: [sqsRecord(again?.body, { messageId: 'p2' })] });
    expect(done.batchItemFailures).toEqual([]);
    expect(seen).toEqual([2]);
  });

  it('dead-letters a job that fails for good on its own: the letter holds that job’s message, not the pack', async () => {
    const { kit, handler } = runner((n) => (n === 1 ? new PermanentError('bad') : undefined));
    const response = await handler({
      Records: [sqsRecord(packOf(messages(2)), { messageId: 'p1' })],
    });
    expect(response.batchItemFailures).toEqual([]);
    expect(kit.sqs.sent).toHaveLength(1);
    const letter = JSON.parse(kit.sqs.sent[0]?.body ?? '') as { job?: { message?: JobMessage } };
    expect(letter.job?.message).toEqual(messages(1)[0]);
    expect(kit.metric(M.deadLettered)).toBe(1);
    expect(kit.metric(M.succeeded)).toBe(1);
  });

  it('comes back whole when its unfinished jobs cannot be sent again', async () => {
    const { kit, handler } = runner((n) => (n === 3 ? new TransientError('one down') : undefined));
    kit.sqs.mock.on(SendMessageCommand).rejects(new Error('SQS down'));
    const response = await handler({
      Records: [sqsRecord(packOf(messages(3)), { messageId: 'p1' })],
    });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'p1' }]);
    expect(kit.sqs.visibility.map((v) => v.receiptHandle)).toEqual(['rh-p1']);
  });

  it('is dead-lettered as not a job when it is not a well-formed pack', async () => {
    const { kit, performBatch, handler } = runner(() => undefined);
    const body = `${JOB_PACK_HEAD}{"kind":"sluice.job"}],"attempts":[1,1]}`;
    const response = await handler({ Records: [sqsRecord(body, { messageId: 'p1' })] });
    expect(response.batchItemFailures).toEqual([]);
    expect(performBatch).not.toHaveBeenCalled();
    expect(kit.sqs.sent.map((s) => s.attributes.reason)).toEqual(['NOT_A_JOB']);
  });

  it('comes back whole when delivered again and a job not attempted this time would lose its count', async () => {
    const { kit, handler } = runner(() => new TransientError('down'));
    const [a, b] = messages(2);
    await handler({ Records: [sqsRecord(packOf([a, b] as JobMessage[]), { messageId: 'p1' })] });
    // Delivered again: a succeeds; b's record cannot be read, so b is not attempted.
    const again = runner(() => undefined);
    again.kit.dynamo.mock
      .on(GetItemCommand, { Key: { jobId: { S: (b as JobMessage).jobId } } })
      .rejects(Object.assign(new Error('blip'), { name: 'InternalServerError', $fault: 'server' }));
    const response = await again.handler({
      Records: [sqsRecord(packOf([a, b] as JobMessage[]), { messageId: 'p1', receiveCount: 2 })],
    });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'p1' }]);
    expect(again.kit.sqs.sent).toEqual([]);
    expect(kit.metric(M.retried)).toBe(2);
  });

  it('comes back whole when a job of it is left unsettled (its dead letter not sent)', async () => {
    const { kit, handler } = runner((n) => (n === 2 ? new PermanentError('bad') : undefined));
    kit.sqs.mock.on(SendMessageCommand).rejects(new Error('SQS down'));
    const response = await handler({
      Records: [sqsRecord(packOf(messages(2)), { messageId: 'p1' })],
    });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'p1' }]);
    // Only the dead letter was tried; the job was not sent again in a new pack.
    const sends = kit.sqs.mock.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
    expect(sends.map((i) => i.QueueUrl)).toEqual([kit.config.dlqUrl]);
  });

  it('keeps a job that snoozes with its pack instead of sending it on its own', async () => {
    const kit = testJobDeps(packed);
    const handler = defineBatchJob(
      packed,
      {
        performBatch: async (contexts) =>
          contexts.map((c) =>
            (c.message.event as { id: string }).id === 'evt-1' ? snooze(120) : undefined,
          ),
      },
      kit.deps,
    );
    const response = await handler({
      Records: [sqsRecord(packOf(messages(3)), { messageId: 'p1' })],
    });
    expect(response.batchItemFailures).toEqual([]);
    expect(kit.sqs.sent).toHaveLength(1);
    expect(kit.sqs.sent[0]?.delaySeconds).toBe(120);
    expect(readJobPack(kit.sqs.sent[0]?.body ?? '')).toEqual({
      jobs: [messages(1)[0]],
      attempts: [0],
    });
    expect(kit.metric(M.snoozed)).toBe(1);
    expect(kit.metric(M.succeeded)).toBe(2);
  });
});

describe('a pack dead-lettered whole as not a job, redriven into its queue', () => {
  /** The letter a runtime that could not read the pack wrote (as LocalStack's packs were). */
  const letterOf = (pack: string) => ({
    kind: 'sluice.dead-letter',
    v: 1,
    stage: 'job',
    reason: 'NOT_A_JOB',
    error: { class: 'InvalidJobMessage', message: 'not a job message: kind is not "sluice.job"' },
    history: [
      {
        at: '2026-12-07T03:42:00.563Z',
        errorClass: 'InvalidJobMessage',
        message: 'not a job message: kind is not "sluice.job"',
        reason: 'NOT_A_JOB',
        codeVersion: 'old',
      },
    ],
    firstFailedAt: '2026-12-07T03:42:00.563Z',
    lastFailedAt: '2026-12-07T03:42:00.563Z',
    codeVersion: 'old',
    event: {},
    job: {
      name: 'audit',
      body: pack,
      attempts: 0,
      maxAttempts: 5,
      sourceQueue: 'arn:aws:sqs:us-east-1:000000000000:audit',
      messageId: 'p0',
    },
  });

  it('runs the jobs of the pack, re-encoded on the way or not, and is acknowledged', async () => {
    for (const body of [
      JSON.stringify(letterOf(packOf(messages(3)))),
      reencodedByPython(JSON.stringify(letterOf(reencodedByPython(packOf(messages(3)))))),
    ]) {
      const { kit, performBatch, handler } = runner(() => undefined);
      const response = await handler({ Records: [sqsRecord(body, { messageId: 'l1' })] });
      expect(response.batchItemFailures).toEqual([]);
      expect(performBatch.mock.calls[0]?.[0].map((c) => c.message)).toEqual(messages(3));
      expect(kit.metric(M.succeeded)).toBe(3);
      expect(kit.metric(M.deadLettered)).toBe(0);
    }
  });

  it('dead-letters a job that fails again alone, its history continuing the letter’s', async () => {
    const { kit, handler } = runner((n) => (n === 2 ? new PermanentError('still bad') : undefined));
    const body = JSON.stringify(letterOf(packOf(messages(3))));
    const response = await handler({ Records: [sqsRecord(body, { messageId: 'l1' })] });
    expect(response.batchItemFailures).toEqual([]);
    expect(kit.sqs.sent).toHaveLength(1);
    const again = JSON.parse(kit.sqs.sent[0]?.body ?? '') as {
      history: Array<{ reason: string }>;
      job: { message?: JobMessage; body?: string };
    };
    expect(again.job.message).toEqual(messages(3)[1]);
    expect(again.job.body).toBeUndefined();
    expect(again.history.map((h) => h.reason)).toEqual(['NOT_A_JOB', expect.any(String)]);
    expect(kit.metric(M.succeeded)).toBe(2);
  });

  it('sends its unfinished jobs on as a pack of their own messages when some succeed', async () => {
    const { kit, handler } = runner((n) => (n === 3 ? new TransientError('one down') : undefined));
    const body = JSON.stringify(letterOf(packOf(messages(3))));
    const response = await handler({ Records: [sqsRecord(body, { messageId: 'l1' })] });
    expect(response.batchItemFailures).toEqual([]);
    expect(kit.sqs.sent).toHaveLength(1);
    expect(readJobPack(kit.sqs.sent[0]?.body ?? '')).toEqual({
      jobs: [messages(3)[2]],
      attempts: [1],
    });
  });

  it('bounds what each job carries of a large letter: N jobs failing again write N small letters', async () => {
    const { kit, handler } = runner(() => new PermanentError('still bad'));
    const letter = letterOf(packOf(messages(40)));
    const entry = {
      ...(letter.history[0] as (typeof letter.history)[number]),
      message: 'x'.repeat(2_000),
    };
    const history = [null, 42, ...Array.from({ length: 50 }, () => entry)];
    const body = JSON.stringify({
      ...letter,
      history,
      job: { ...letter.job, provenance: 'y'.repeat(50_000) },
    });
    expect(body.length).toBeGreaterThan(100_000);
    const response = await handler({ Records: [sqsRecord(body, { messageId: 'l1' })] });
    expect(response.batchItemFailures).toEqual([]);
    expect(kit.sqs.sent).toHaveLength(40);
    for (const sent of kit.sqs.sent) {
      const again = JSON.parse(sent.body ?? '') as { history: unknown[]; job: { body?: string } };
      expect(again.job.body).toBeUndefined();
      expect(again.history.length).toBeLessThanOrEqual(20);
      expect((sent.body ?? '').length).toBeLessThan(20_000);
    }
  });

  it('leaves any other letter as it is: a letter of one job, or of a body that is no pack', () => {
    const one = JSON.stringify({
      ...letterOf(''),
      job: { ...letterOf('').job, body: undefined, message: messages(1)[0] },
    });
    const notAPack = JSON.stringify(letterOf('{"kind":"sluice.job-pack","v":1,"jobs":[]}'));
    for (const body of [one, notAPack]) {
      expect(opened({ Records: [sqsRecord(body)] }).map((r) => r.body)).toEqual([body]);
    }
  });
});

describe('a pack that cannot be opened', () => {
  it('is dead-lettered whole, and the other packs of its batch run', async () => {
    const kit = testJobDeps(packed);
    const ran: string[] = [];
    const performBatch = vi.fn(async (contexts: readonly JobContext<unknown>[]) => {
      for (const c of contexts) ran.push(c.jobId);
      return contexts.map((): BatchItemResult => undefined);
    });
    const handler = defineBatchJob(packed, { performBatch }, kit.deps);
    const broken = packOf(messages(2, 3));
    const response = await handler({
      Records: [
        sqsRecord(packOf(messages(2)), { messageId: 'ok' }),
        sqsRecord(broken, { messageId: 'broken' }),
      ],
    });
    expect(response.batchItemFailures).toEqual([]);
    expect(ran).toEqual(messages(2).map((m) => m.jobId));
    expect(kit.sqs.sent.map((s) => s.attributes.reason)).toEqual(['NOT_A_JOB']);
    expect(JSON.parse(kit.sqs.sent[0]?.body ?? '').job.body).toBe(broken);
    expect(kit.log.entries.map((e) => e.message)).toContain(
      'Pack not opened; it runs as a message of its own',
    );
  });
});
