/**
 * The decisions countFailureOnce makes around DynamoDB's answers to its transaction, over a
 * mocked client: a marker already there means "counted before", conflicts are tried again,
 * and every other cancellation ends as the right error type. (The transaction itself runs
 * against moto in the integration test.)
 */
import {
  DynamoDBClient,
  GetItemCommand,
  TransactWriteItemsCommand,
  type TransactWriteItemsCommandInput,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { PermanentError, TransientError } from '../../../../functions/shared/errors';
import { ThrottledError } from '../../../../functions/shared/throttling';
import {
  COUNTER_RETENTION_SECONDS,
  counterIdOf,
  countFailureOnce,
  MARKER_RETENTION_SECONDS,
  markerIdOf,
  type Subject,
} from '../../../../functions/workers/detect-login-abuse/counters';
import { windowOf } from '../../../../functions/workers/detect-login-abuse/windows';

const dynamodb = new DynamoDBClient({ region: 'eu-west-1' });
const mock = mockClient(dynamodb);
const window = windowOf('2026-11-28T10:01:00Z', 300);
const subjects: Subject[] = [
  { kind: 'account', value: 'acc-1' },
  { kind: 'ip', value: '203.0.113.9' },
];
const now = new Date('2026-11-28T10:02:00Z');
const count = (jobId = 'job-1') =>
  countFailureOnce(dynamodb, 'counters', jobId, subjects, window, { now, random: () => 0 });

/** A cancelled transaction, as the SDK throws it: one reason per item. */
const cancelled = (...codes: string[]) =>
  Object.assign(new Error('Transaction cancelled'), {
    name: 'TransactionCanceledException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

beforeEach(() => {
  mock.reset();
  mock.on(GetItemCommand).callsFake((input: { Key: { counterId: { S: string } } }) => ({
    Item: { count: { N: input.Key.counterId.S.startsWith('ip#') ? '7' : '3' } },
  }));
});

describe('countFailureOnce', () => {
  it('puts the marker and adds to every counter in one transaction, then reads the counts', async () => {
    mock.on(TransactWriteItemsCommand).resolves({});
    expect(await count()).toEqual({ counts: [3, 7], counted: true });

    const [call] = mock.commandCalls(TransactWriteItemsCommand);
    const input: TransactWriteItemsCommandInput = call?.args[0].input ?? { TransactItems: [] };
    const items = input.TransactItems ?? [];
    expect(items.map((i) => i.Put?.Item?.counterId?.S ?? i.Update?.Key?.counterId?.S)).toEqual([
      markerIdOf('job-1'),
      ...subjects.map((s) => counterIdOf(s, window)),
    ]);
    expect(items[0]?.Put?.ConditionExpression).toBe('attribute_not_exists(#key)');
    const seconds = now.getTime() / 1000;
    expect(items[0]?.Put?.Item?.expiresAt?.N).toBe(String(seconds + MARKER_RETENTION_SECONDS));
    // A counter lives a day past its window (the window ended after `now` here).
    expect(items[1]?.Update?.ExpressionAttributeValues?.[':ttl']?.N).toBe(
      String(window.endSeconds + COUNTER_RETENTION_SECONDS),
    );
    const reads = mock.commandCalls(GetItemCommand).map((c) => c.args[0].input);
    expect(reads.every((r) => r.ConsistentRead === true)).toBe(true);
  });

  it('a late event keeps its counter a day from now, not from its long-gone window', async () => {
    mock.on(TransactWriteItemsCommand).resolves({});
    const late = new Date('2026-12-06T08:00:00Z');
    await countFailureOnce(dynamodb, 'counters', 'job-1', subjects, window, { now: late });
    const [call] = mock.commandCalls(TransactWriteItemsCommand);
    const update = call?.args[0].input.TransactItems?.[1]?.Update;
    expect(update?.ExpressionAttributeValues?.[':ttl']?.N).toBe(
      String(late.getTime() / 1000 + COUNTER_RETENTION_SECONDS),
    );
  });

  it('a marker already there means an earlier run counted: no error, the counts as they are', async () => {
    mock.on(TransactWriteItemsCommand).rejects(cancelled('ConditionalCheckFailed', 'None', 'None'));
    expect(await count()).toEqual({ counts: [3, 7], counted: false });
    expect(mock.commandCalls(TransactWriteItemsCommand)).toHaveLength(1);
  });

  it('tries again after a conflict with a concurrent transaction', async () => {
    mock
      .on(TransactWriteItemsCommand)
      .rejectsOnce(cancelled('None', 'None', 'TransactionConflict'))
      .rejectsOnce(cancelled('None', 'TransactionConflict', 'None'))
      .resolves({});
    expect(await count()).toEqual({ counts: [3, 7], counted: true });
    expect(mock.commandCalls(TransactWriteItemsCommand)).toHaveLength(3);
  });

  it('gives up on conflicts after a few tries with a transient error', async () => {
    mock.on(TransactWriteItemsCommand).rejects(cancelled('None', 'TransactionConflict', 'None'));
    await expect(count()).rejects.toBeInstanceOf(TransientError);
    expect(mock.commandCalls(TransactWriteItemsCommand)).toHaveLength(5);
  });

  it('classifies the other cancellations: throttling eases off, validation is permanent', async () => {
    mock.on(TransactWriteItemsCommand).rejects(cancelled('None', 'ThrottlingError', 'None'));
    await expect(count()).rejects.toBeInstanceOf(ThrottledError);
    mock.on(TransactWriteItemsCommand).rejects(cancelled('None', 'ValidationError', 'None'));
    const error = await count().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).not.toBeInstanceOf(TransientError);
  });

  it('a counter without an item reads as 0', async () => {
    mock.on(TransactWriteItemsCommand).resolves({});
    mock.on(GetItemCommand).resolves({});
    expect(await count()).toEqual({ counts: [0, 0], counted: true });
  });
});
