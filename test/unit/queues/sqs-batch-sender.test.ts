import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  BatchSender,
  type OutgoingMessage,
  packBatches,
  type SendOptions,
  sendMessages,
  sqsMessageBytes,
} from '../../../functions/queues/sqs-batch-sender';
import { PermanentError, TransientError } from '../../../functions/shared/errors';
import { OFFLINE_AWS } from '../../support/offline-aws';

const sqs = new SQSClient(OFFLINE_AWS);
const sqsMock = mockClient(sqs);
const options: SendOptions = {
  maxBytes: 1000,
  maxAttempts: 3,
  backoff: { baseMs: 0, capMs: 0 },
  concurrency: 4,
  sleep: async () => undefined,
};

const message = (n: number, bytes = 10, queueUrl = 'q1'): OutgoingMessage => ({
  queueUrl,
  body: `${n}`.padEnd(bytes, '.'),
  bytes,
});

function entriesOfCalls() {
  return sqsMock
    .commandCalls(SendMessageBatchCommand)
    .map((call) => call.args[0].input.Entries ?? []);
}

beforeEach(() => {
  sqsMock.reset();
  sqsMock.on(SendMessageBatchCommand).callsFake((input) => ({
    Successful: (input.Entries ?? []).map((entry: { Id: string }) => ({ Id: entry.Id })),
    Failed: [],
  }));
});

/** The SDK's error for a call no message can fix. */
const accessDenied = () =>
  Object.assign(new Error('not authorized'), {
    name: 'AccessDeniedException',
    $fault: 'client',
    $metadata: { httpStatusCode: 403 },
  });

describe('sqsMessageBytes', () => {
  it('counts body and attribute names, types and values in UTF-8 bytes', () => {
    expect(sqsMessageBytes('héllo')).toBe(6);
    expect(sqsMessageBytes('x', { job: 'audit' })).toBe(1 + 3 + 6 + 5);
  });
});

describe('packBatches', () => {
  it('cuts at 10 entries', () => {
    const batches = packBatches(
      Array.from({ length: 23 }, (_, n) => message(n)),
      10_000,
    );
    expect(batches.map((b) => b.length)).toEqual([10, 10, 3]);
  });

  it('cuts before the byte limit is exceeded and keeps order', () => {
    const sizes = [400, 400, 300, 600, 1000, 1];
    const batches = packBatches(
      sizes.map((bytes, n) => message(n, bytes)),
      1000,
    );
    expect(batches.map((b) => b.map((m) => m.bytes))).toEqual([
      [400, 400],
      [300, 600],
      [1000],
      [1],
    ]);
  });
});

describe('sendMessages', () => {
  it('sends every message once, grouped per queue, each call within the limits', async () => {
    const messages = [
      ...Array.from({ length: 15 }, (_, n) => message(n, 90, 'q1')),
      ...Array.from({ length: 4 }, (_, n) => message(n, 10, 'q2')),
    ];
    const outcome = await sendMessages(sqs, messages, options);
    expect(outcome.sent).toHaveLength(19);
    const calls = sqsMock.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
    for (const call of calls) {
      expect(call.Entries?.length).toBeLessThanOrEqual(10);
      const bytes = (call.Entries ?? []).reduce((sum, e) => sum + (e.MessageBody?.length ?? 0), 0);
      expect(bytes).toBeLessThanOrEqual(options.maxBytes);
    }
    expect(calls.filter((c) => c.QueueUrl === 'q2')).toHaveLength(1);
  });

  it('retries entries failed by the service and gives up after maxAttempts', async () => {
    let call = 0;
    sqsMock.on(SendMessageBatchCommand).callsFake((input) => {
      call++;
      const entries: Array<{ Id: string; MessageBody: string }> = input.Entries;
      // Body "1…" fails server-side on the first call only; body "2…" fails on every call.
      const failing = entries.filter(
        (e) => e.MessageBody.startsWith('2') || (call === 1 && e.MessageBody.startsWith('1')),
      );
      return {
        Successful: entries.filter((e) => !failing.includes(e)).map((e) => ({ Id: e.Id })),
        Failed: failing.map((e) => ({ Id: e.Id, Code: 'InternalError', SenderFault: false })),
      };
    });
    const outcome = await sendMessages(sqs, [message(0), message(1), message(2)], options);
    expect(outcome.sent.map((m) => m.body[0]).sort()).toEqual(['0', '1']);
    expect(outcome.unsent.map((u) => u.message.body[0])).toEqual(['2']);
    expect(outcome.unsent[0]?.error).toBeInstanceOf(TransientError);
    expect(entriesOfCalls().map((entries) => entries.length)).toEqual([3, 2, 1]);
  });

  it('reports entries SQS blames on the sender as rejected, without retrying them', async () => {
    sqsMock.on(SendMessageBatchCommand).callsFake((input) => ({
      Successful: [{ Id: '0' }],
      Failed:
        input.Entries.length > 1
          ? [{ Id: '1', Code: 'InvalidParameterValue', SenderFault: true }]
          : [],
    }));
    const outcome = await sendMessages(sqs, [message(0), message(1)], options);
    expect(outcome.rejected).toHaveLength(1);
    expect(outcome.rejected[0]?.error).toBeInstanceOf(PermanentError);
    expect(outcome.rejected[0]?.error.message).toContain('InvalidParameterValue');
    expect(entriesOfCalls()).toHaveLength(1);
  });

  it('retries an entry SQS lists as neither successful nor failed, instead of counting it sent', async () => {
    let calls = 0;
    sqsMock.on(SendMessageBatchCommand).callsFake((input) => {
      calls++;
      // The first answer leaves entry 1 out of both lists.
      const entries = (input.Entries ?? []) as Array<{ Id: string }>;
      const listed = calls === 1 ? entries.filter((e) => e.Id !== '1') : entries;
      return { Successful: listed.map((e) => ({ Id: e.Id })), Failed: [] };
    });
    const result = await sendMessages(sqs, [message(0), message(1), message(2)], options);
    expect(result.sent.map((m) => m.body[0])).toEqual(['0', '2', '1']);
    expect(entriesOfCalls()[1]?.map((e) => e.MessageBody?.[0])).toEqual(['1']);

    sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const never = await sendMessages(sqs, [message(3)], options);
    expect(never.sent).toEqual([]);
    expect(never.unsent[0]?.error).toBeInstanceOf(TransientError);
  });

  it('classifies entry failures by code before SenderFault: KmsThrottled is retried, a disabled key stops the batch', async () => {
    let calls = 0;
    sqsMock.on(SendMessageBatchCommand).callsFake((input) => {
      calls++;
      const entries = (input.Entries ?? []) as Array<{ Id: string }>;
      return calls === 1
        ? {
            Successful: [],
            Failed: entries.map((e) => ({ Id: e.Id, Code: 'KmsThrottled', SenderFault: true })),
          }
        : { Successful: entries.map((e) => ({ Id: e.Id })), Failed: [] };
    });
    const throttled = await sendMessages(sqs, [message(0)], options);
    expect(throttled.sent).toHaveLength(1);
    expect(throttled.rejected).toEqual([]);

    sqsMock.on(SendMessageBatchCommand).resolves({
      Successful: [],
      Failed: [{ Id: '0', Code: 'KmsDisabled', SenderFault: true }],
    });
    await expect(sendMessages(sqs, [message(1)], options)).rejects.toBeInstanceOf(PermanentError);
  });

  it('rejects a message larger than the limit without calling SQS', async () => {
    const outcome = await sendMessages(sqs, [message(0, 1001)], options);
    expect(outcome.rejected[0]?.error.message).toContain('exceeds the SQS limit of 1000 bytes');
    expect(entriesOfCalls()).toHaveLength(0);
  });

  it('retries whole calls that throw transient errors', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 },
    });
    sqsMock
      .on(SendMessageBatchCommand)
      .rejectsOnce(throttled)
      .resolves({ Successful: [{ Id: '0', MessageId: 'm0', MD5OfMessageBody: '' }], Failed: [] });
    const retried: number[] = [];
    const outcome = await sendMessages(sqs, [message(0)], {
      ...options,
      onRetry: (n) => retried.push(n),
    });
    expect(outcome.sent).toHaveLength(1);
    expect(retried).toEqual([1]);
  });

  it('throws at once on a call error no message can fix', async () => {
    sqsMock.on(SendMessageBatchCommand).rejects(accessDenied());
    await expect(sendMessages(sqs, [message(0)], options)).rejects.toBeInstanceOf(PermanentError);
    expect(entriesOfCalls()).toHaveLength(1);
  });
});

describe('BatchSender', () => {
  it('sends the batches packBatches makes, per queue and in order, with bounded calls in flight', async () => {
    const messages = Array.from({ length: 60 }, (_, n) =>
      message(n, [90, 400, 10][n % 3], n % 4 === 0 ? 'q2' : 'q1'),
    );
    let inFlight = 0;
    let most = 0;
    sqsMock.on(SendMessageBatchCommand).callsFake(async (input) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight--;
      return { Successful: input.Entries.map((e: { Id: string }) => ({ Id: e.Id })), Failed: [] };
    });
    const sender = new BatchSender<OutgoingMessage>(sqs, { ...options, concurrency: 2 });
    for (const m of messages) {
      sender.add(m);
      if (sender.backlogged) await sender.drained();
    }
    const outcome = await sender.finish();
    expect(outcome).toEqual({ rejected: [], unsent: [] });
    expect(sender.sentCount).toBe(60);
    expect(most).toBeLessThanOrEqual(2);
    const calls = sqsMock.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
    for (const queue of ['q1', 'q2']) {
      const expected = packBatches(
        messages.filter((m) => m.queueUrl === queue),
        options.maxBytes,
      ).map((batch) => batch.map((m) => m.body));
      const sent = calls
        .filter((c) => c.QueueUrl === queue)
        .map((c) => (c.Entries ?? []).map((e) => e.MessageBody));
      expect(sent).toEqual(expected);
    }
  });

  it('reports what SQS rejects or never accepts, and messages over the limit, like sendMessages', async () => {
    sqsMock.on(SendMessageBatchCommand).callsFake((input) => {
      const entries: Array<{ Id: string; MessageBody: string }> = input.Entries;
      const fails = (e: { MessageBody: string }) =>
        e.MessageBody[0] === '1' || e.MessageBody[0] === '2';
      return {
        Successful: entries.filter((e) => !fails(e)).map((e) => ({ Id: e.Id })),
        Failed: entries.filter(fails).map((e) => ({
          Id: e.Id,
          Code: e.MessageBody[0] === '1' ? 'InvalidParameterValue' : 'InternalError',
          SenderFault: e.MessageBody[0] === '1',
        })),
      };
    });
    const retried: number[] = [];
    const sender = new BatchSender<OutgoingMessage>(sqs, {
      ...options,
      onRetry: (n) => retried.push(n),
    });
    for (const m of [message(0), message(1), message(2), message(3, 1001)]) sender.add(m);
    const outcome = await sender.finish();
    expect(sender.sentCount).toBe(1);
    expect(outcome.rejected.map((r) => r.message.body[0]).sort()).toEqual(['1', '3']);
    expect(outcome.rejected.every((r) => r.error instanceof PermanentError)).toBe(true);
    expect(outcome.unsent.map((u) => u.message.body[0])).toEqual(['2']);
    expect(outcome.unsent[0]?.error).toBeInstanceOf(TransientError);
    expect(retried).toEqual([1, 1]);
  });

  it('fails at finish on a call error no message can fix, and sends nothing more', async () => {
    sqsMock.on(SendMessageBatchCommand).rejects(accessDenied());
    const sender = new BatchSender<OutgoingMessage>(sqs, { ...options, concurrency: 1 });
    for (let n = 0; n < 30; n++) {
      sender.add(message(n));
      if (sender.backlogged) await sender.drained();
    }
    await expect(sender.finish()).rejects.toBeInstanceOf(PermanentError);
    expect(entriesOfCalls()).toHaveLength(1);
  });
});
