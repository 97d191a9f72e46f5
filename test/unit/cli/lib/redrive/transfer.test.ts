/**
 * The order of calls that makes a filtered redrive lose nothing, whatever moment it dies:
 * other groups released first, a message deleted only after its copy was accepted, a
 * refused copy's original released, never deleted.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { transferMatching } from '../../../../../cli/lib/redrive/transfer';
import { DEAD_LETTER_KIND, type DeadLetter } from '../../../../../functions/queues/dead-letter';
import { jobPackBody } from '../../../../../functions/queues/job-pack';
import { OFFLINE_AWS } from '../../../../support/offline-aws';

const sqs = new SQSClient(OFFLINE_AWS);
const DLQ = 'https://sqs/dlq';
const REPLAY = 'https://sqs/replay';

function deadLetter(offset: number, path: string): Message {
  const letter: DeadLetter = {
    kind: DEAD_LETTER_KIND,
    v: 1,
    stage: 'ingest',
    reason: 'SCHEMA_VIOLATION',
    error: { class: 'RecordRejectedError', message: 'bad', path },
    history: [],
    firstFailedAt: '2026-11-28T10:00:00.000Z',
    lastFailedAt: '2026-11-28T10:00:00.000Z',
    codeVersion: 'v1',
    record: {
      topic: 't',
      partition: 0,
      offset,
      timestamp: 0,
      timestampType: 'CREATE_TIME',
      key: null,
      value: '',
      headers: [],
    },
  };
  return {
    MessageId: `m${offset}`,
    ReceiptHandle: `rh${offset}`,
    Body: JSON.stringify(letter),
    MessageAttributes: { reason: { DataType: 'String', StringValue: 'SCHEMA_VIOLATION' } },
  };
}

/** Transfers everything from a DLQ that holds `first`, then (on the next receive) `later`. */
function moveThenSee(mock: ReturnType<typeof mockClient>, first: Message, later: Message) {
  mock
    .on(ReceiveMessageCommand)
    .resolvesOnce({ Messages: [first] })
    .resolvesOnce({ Messages: [later] })
    .resolves({ Messages: [] });
  mock
    .on(SendMessageBatchCommand)
    .resolves({ Successful: [{ Id: '0', MessageId: 'copy', MD5OfMessageBody: '' }] });
  mock.on(DeleteMessageBatchCommand).resolves({ Successful: [{ Id: '0' }] });
  mock.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [{ Id: '0' }] });
  return transferMatching(sqs, {
    sourceUrl: DLQ,
    destinationUrl: REPLAY,
    matches: () => true,
    limit: Number.POSITIVE_INFINITY,
    perSecond: 500,
    visibilityTimeoutSeconds: 30,
    patience: 3,
  });
}

describe('transferMatching', () => {
  it('releases other groups first, deletes only what was re-sent, releases refused copies', async () => {
    const mock = mockClient(sqs);
    const calls: string[] = [];
    const a1 = deadLetter(1, '/a');
    const a2 = deadLetter(2, '/a');
    const b1 = deadLetter(3, '/b');
    const b2 = deadLetter(4, '/b');
    mock
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [a1, b1, a2, b2] })
      .resolves({ Messages: [] });
    mock.on(ChangeMessageVisibilityBatchCommand).callsFake((input) => {
      calls.push(
        `release ${input.Entries.map((e: { ReceiptHandle: string }) => e.ReceiptHandle).join(',')} to ${input.Entries[0].VisibilityTimeout}`,
      );
      return { Successful: input.Entries.map((e: { Id: string }) => ({ Id: e.Id })) };
    });
    mock.on(SendMessageBatchCommand).callsFake((input) => {
      calls.push(
        `send ${input.Entries.map((e: { MessageBody: string }) => JSON.parse(e.MessageBody).record.offset).join(',')} to ${input.QueueUrl}`,
      );
      expect(input.Entries[0].MessageAttributes).toEqual({
        reason: { DataType: 'String', StringValue: 'SCHEMA_VIOLATION' },
      });
      // SQS accepts the first copy and refuses the second.
      return {
        Successful: [{ Id: input.Entries[0].Id, MessageId: 'copy-1' }],
        Failed: [{ Id: input.Entries[1].Id, Code: 'InternalError', SenderFault: false }],
      };
    });
    mock.on(DeleteMessageBatchCommand).callsFake((input) => {
      calls.push(
        `delete ${input.Entries.map((e: { ReceiptHandle: string }) => e.ReceiptHandle).join(',')}`,
      );
      return { Successful: input.Entries.map((e: { Id: string }) => ({ Id: e.Id })) };
    });

    const result = await transferMatching(sqs, {
      sourceUrl: DLQ,
      destinationUrl: REPLAY,
      matches: (e) => e.letter?.error.path === '/a',
      limit: Number.POSITIVE_INFINITY,
      perSecond: 500,
      visibilityTimeoutSeconds: 30,
      patience: 3,
    });

    expect(calls).toEqual([
      'release rh3,rh4 to 0',
      `send 1,2 to ${REPLAY}`,
      'delete rh1',
      'release rh2 to 0',
    ]);
    expect(result.moved.map((m) => [m.subject, m.newMessageId])).toEqual([['t/0/1', 'copy-1']]);
    expect(result.sendFailures).toEqual([{ messageId: 'm2', reason: 'InternalError: ' }]);
    expect(result.stoppedBy).toBe('drained');
  });

  it('never moves a message twice: a dead letter of one it moved is a return', async () => {
    const mock = mockClient(sqs);
    const first = deadLetter(7, '/a');
    const failedAgain = {
      ...deadLetter(7, '/a'),
      MessageId: 'm7-again',
      ReceiptHandle: 'rh7-again',
      Body: JSON.stringify({
        ...JSON.parse(deadLetter(7, '/a').Body ?? ''),
        lastFailedAt: '2026-11-28T11:00:00.000Z',
      }),
    };
    const result = await moveThenSee(mock, first, failedAgain);
    expect(result.moved).toHaveLength(1);
    expect(result.returned.map((r) => r.messageId)).toEqual(['m7-again']);
    expect(mock.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
    // The return went back to the DLQ at once.
    expect(
      mock.commandCalls(ChangeMessageVisibilityBatchCommand)[0]?.args[0].input.Entries,
    ).toEqual([{ Id: '0', ReceiptHandle: 'rh7-again', VisibilityTimeout: 0 }]);
  });

  it('takes the letter of a job of a pack it moved for a return of that pack, and never moves it', async () => {
    const mock = mockClient(sqs);
    const jobs = ['j-1', 'j-2'].map((jobId) => JSON.stringify({ kind: 'sluice.job', v: 1, jobId }));
    const pack: Message = { MessageId: 'p1', ReceiptHandle: 'rh-p1', Body: jobPackBody(jobs) };
    const letter: DeadLetter = {
      kind: DEAD_LETTER_KIND,
      v: 1,
      stage: 'job',
      reason: 'TARGET_REJECTED',
      error: { class: 'PermanentError', message: 'still bad' },
      history: [],
      firstFailedAt: '2026-12-07T05:00:00.000Z',
      lastFailedAt: '2026-12-07T05:00:00.000Z',
      codeVersion: 'v2',
      job: {
        name: 'audit',
        jobId: 'j-2',
        attempts: 1,
        maxAttempts: 5,
        sourceQueue: 'q',
        messageId: 'copy',
      },
    };
    const jobLetter: Message = {
      MessageId: 'l2',
      ReceiptHandle: 'rh-l2',
      Body: JSON.stringify(letter),
    };
    const result = await moveThenSee(mock, pack, jobLetter);
    expect(result.moved.map((m) => m.packedJobIds)).toEqual([['j-1', 'j-2']]);
    expect(result.returned.map((r) => r.messageId)).toEqual(['l2']);
    expect(mock.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
  });
});
