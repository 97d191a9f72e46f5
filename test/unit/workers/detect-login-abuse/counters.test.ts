/**
 * The decisions countFailureOnce makes around DynamoDB's answers, over a mocked client: one
 * conditional UpdateItem per subject while the counter's job set has room (no read, no
 * transaction), "counted before" when the set or a marker names the job, the marker
 * transaction for a full or legacy counter, conflicts tried again, and every other failure
 * ending as the right error type. (The expressions themselves run against moto in
 * test/integration/workers/detect-login-abuse-counters.test.ts.)
 */
import {
  DynamoDBClient,
  GetItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { PermanentError, TransientError } from '../../../../functions/shared/errors';
import { ThrottledError } from '../../../../functions/shared/throttling';
import {
  COUNTED_JOBS_CAP,
  COUNTER_RETENTION_SECONDS,
  counterIdOf,
  countFailureOnce,
  MARKER_RETENTION_SECONDS,
  markerIdOf,
  type Subject,
} from '../../../../functions/workers/detect-login-abuse/counters';
import { windowOf } from '../../../../functions/workers/detect-login-abuse/windows';
import { conditionFailed, transactionCancelled } from '../../../support/dynamo-errors';

const dynamodb = new DynamoDBClient({ region: 'eu-west-1' });
const mock = mockClient(dynamodb);
const now = new Date('2026-11-28T10:02:00Z');
let test = 0;
/** Subjects of their own per test: the module remembers counters it found full. */
let subjects: Subject[] = [];
const window = windowOf('2026-11-28T10:01:00Z', 300);
const count = (jobId = 'job-1') =>
  countFailureOnce(dynamodb, 'counters', jobId, subjects, window, { now, random: () => 0 });

const jobs = (n: number) => ({ SS: Array.from({ length: n }, (_, i) => `other-${i}`) });
const isIp = (input: UpdateItemCommandInput) => input.Key?.counterId?.S?.startsWith('ip#');

beforeEach(() => {
  mock.reset();
  test += 1;
  subjects = [
    { kind: 'account', value: `acc-${test}` },
    { kind: 'ip', value: `203.0.113.${test}` },
  ];
  mock.on(GetItemCommand).callsFake((input: { Key: { counterId: { S: string } } }) => ({
    Item: { count: { N: input.Key.counterId.S.startsWith('ip#') ? '27' : '3' } },
  }));
});

describe('countFailureOnce', () => {
  it('adds the job to each counter with one conditional update and no read', async () => {
    mock.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => ({
      Attributes: { count: { N: isIp(input) ? '7' : '3' } },
    }));
    expect(await count()).toEqual({ counts: [3, 7], counted: true });

    const updates = mock.commandCalls(UpdateItemCommand).map((c) => c.args[0].input);
    expect(updates.map((u) => u.Key?.counterId?.S)).toEqual(
      subjects.map((s) => counterIdOf(s, window)),
    );
    for (const update of updates) {
      expect(update.UpdateExpression).toMatch(/^ADD #count :added, #jobs :jobs /);
      expect(update.ExpressionAttributeValues?.[':jobs']).toEqual({ SS: ['job-1'] });
      expect(update.ExpressionAttributeValues?.[':added']).toEqual({ N: '1' });
      expect(update.ConditionExpression).toContain('NOT contains(#jobs, :job0)');
      expect(update.ExpressionAttributeValues?.[':job0']).toEqual({ S: 'job-1' });
      // Room for this one job in the set.
      expect(update.ExpressionAttributeValues?.[':room']?.N).toBe(String(COUNTED_JOBS_CAP - 1));
      expect(update.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
      // A counter lives a day past its window (the window ended after `now` here).
      expect(update.ExpressionAttributeValues?.[':ttl']?.N).toBe(
        String(window.endSeconds + COUNTER_RETENTION_SECONDS),
      );
    }
    expect(mock.commandCalls(GetItemCommand)).toHaveLength(0);
    expect(mock.commandCalls(TransactWriteItemsCommand)).toHaveLength(0);
  });

  it('a late event keeps its counter a day from now, not from its long-gone window', async () => {
    mock.on(UpdateItemCommand).resolves({ Attributes: { count: { N: '1' } } });
    const late = new Date('2026-12-06T08:00:00Z');
    await countFailureOnce(dynamodb, 'counters', 'job-1', subjects, window, { now: late });
    const [call] = mock.commandCalls(UpdateItemCommand);
    expect(call?.args[0].input.ExpressionAttributeValues?.[':ttl']?.N).toBe(
      String(late.getTime() / 1000 + COUNTER_RETENTION_SECONDS),
    );
  });

  it('a set that names the job means an earlier run counted: the counts as they were', async () => {
    mock.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => {
      throw conditionFailed({
        count: { N: isIp(input) ? '9' : '4' },
        jobs: { SS: ['other-1', 'job-1'] },
      });
    });
    expect(await count()).toEqual({ counts: [4, 9], counted: false });
    expect(mock.commandCalls(TransactWriteItemsCommand)).toHaveLength(0);
  });

  it('a run cut short after one subject counts the other one only', async () => {
    mock.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => {
      if (isIp(input)) return { Attributes: { count: { N: '2' } } };
      throw conditionFailed({ count: { N: '5' }, jobs: { SS: ['job-1'] } });
    });
    expect(await count()).toEqual({ counts: [5, 2], counted: true });
  });

  it('a full set: the marker transaction, then a consistent read; later jobs skip the update', async () => {
    mock.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => {
      if (!isIp(input)) return { Attributes: { count: { N: '3' } } };
      throw conditionFailed({ count: { N: '26' }, jobs: jobs(COUNTED_JOBS_CAP) });
    });
    mock.on(TransactWriteItemsCommand).resolves({});
    expect(await count()).toEqual({ counts: [3, 27], counted: true });

    const [call] = mock.commandCalls(TransactWriteItemsCommand);
    const items = call?.args[0].input.TransactItems ?? [];
    expect(items).toHaveLength(2);
    expect(items[0]?.Put?.Item?.counterId?.S).toBe(markerIdOf('job-1', 'ip'));
    expect(items[0]?.Put?.ConditionExpression).toBe('attribute_not_exists(#key)');
    const seconds = now.getTime() / 1000;
    expect(items[0]?.Put?.Item?.expiresAt?.N).toBe(String(seconds + MARKER_RETENTION_SECONDS));
    expect(items[1]?.Update?.Key?.counterId?.S).toBe(counterIdOf(subjects[1] as Subject, window));
    expect(items[1]?.Update?.ConditionExpression).toBe('NOT contains(#jobs, :job0)');
    expect(items[1]?.Update?.ExpressionAttributeValues?.[':job0']).toEqual({ S: 'job-1' });
    expect(items[1]?.Update?.ExpressionAttributeValues?.[':added']).toEqual({ N: '1' });
    const reads = mock.commandCalls(GetItemCommand).map((c) => c.args[0].input);
    expect(reads.map((r) => [r.Key?.counterId?.S, r.ConsistentRead])).toEqual([
      [counterIdOf(subjects[1] as Subject, window), true],
    ]);

    await count('job-2');
    const ipUpdates = mock.commandCalls(UpdateItemCommand).filter((c) => isIp(c.args[0].input));
    expect(ipUpdates).toHaveLength(1);
    expect(mock.commandCalls(TransactWriteItemsCommand)).toHaveLength(2);
  });

  it("a counter older than the set: the transaction checks the previous code's marker too", async () => {
    mock.on(UpdateItemCommand).rejects(conditionFailed({ count: { N: '2' } }));
    mock.on(TransactWriteItemsCommand).resolves({});
    await count();
    const transactions = mock.commandCalls(TransactWriteItemsCommand);
    expect(transactions).toHaveLength(2);
    for (const t of transactions) {
      // The job's marker, the previous code's marker, then the counter.
      const check = t.args[0].input.TransactItems?.[1]?.ConditionCheck;
      expect(check?.Key?.counterId?.S).toBe(markerIdOf('job-1'));
      expect(check?.ConditionExpression).toBe('attribute_not_exists(#key)');
    }
  });

  it('a failed condition in the transaction means an earlier run counted', async () => {
    mock.on(UpdateItemCommand).rejects(conditionFailed({ count: { N: '2' } }));
    mock
      .on(TransactWriteItemsCommand)
      .rejectsOnce(transactionCancelled('ConditionalCheckFailed', 'None', 'None'))
      .rejectsOnce(transactionCancelled('None', 'None', 'ConditionalCheckFailed'));
    expect(await count()).toEqual({ counts: [3, 27], counted: false });
  });

  it('tries a conflicting transaction again, and gives up after a few tries as transient', async () => {
    mock.on(UpdateItemCommand).rejects(conditionFailed({ count: { N: '16' }, jobs: jobs(16) }));
    mock
      .on(TransactWriteItemsCommand)
      .rejectsOnce(transactionCancelled('None', 'TransactionConflict'))
      .rejectsOnce(transactionCancelled('TransactionConflict', 'None'))
      .resolves({});
    expect(await count()).toEqual({ counts: [3, 27], counted: true });
    expect(mock.commandCalls(TransactWriteItemsCommand)).toHaveLength(4);

    mock.on(TransactWriteItemsCommand).rejects(transactionCancelled('None', 'TransactionConflict'));
    await expect(count('job-2')).rejects.toBeInstanceOf(TransientError);
  });

  it('classifies failures: throttling eases off and wins over a permanent one', async () => {
    mock.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => {
      throw isIp(input)
        ? Object.assign(new Error('slow down'), {
            name: 'ThrottlingException',
            $fault: 'client',
            $metadata: { httpStatusCode: 400 },
          })
        : Object.assign(new Error('bad expression'), {
            name: 'ValidationException',
            $fault: 'client',
            $metadata: { httpStatusCode: 400 },
          });
    });
    await expect(count()).rejects.toBeInstanceOf(ThrottledError);

    mock.on(UpdateItemCommand).rejects(conditionFailed({ count: { N: '16' }, jobs: jobs(16) }));
    mock.on(TransactWriteItemsCommand).rejects(transactionCancelled('None', 'ValidationError'));
    const error = await count('job-3').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).not.toBeInstanceOf(TransientError);
  });

  it('tries an update refused by a marker transaction on the counter again', async () => {
    const conflict = Object.assign(new Error('Transaction is ongoing for the item'), {
      name: 'TransactionConflictException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    mock
      .on(UpdateItemCommand)
      .rejectsOnce(conflict)
      .rejectsOnce(conflict)
      .resolves({ Attributes: { count: { N: '2' } } });
    expect(await count()).toEqual({ counts: [2, 2], counted: true });
    expect(mock.commandCalls(UpdateItemCommand)).toHaveLength(4);

    mock.on(UpdateItemCommand).rejects(conflict);
    await expect(count('job-2')).rejects.toBeInstanceOf(TransientError);
  });

  it('keeps counters as long as markers: a redrive days later still finds its job counted', () => {
    expect(COUNTER_RETENTION_SECONDS).toBeGreaterThanOrEqual(MARKER_RETENTION_SECONDS);
  });
});
