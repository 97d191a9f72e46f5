/**
 * The counters' marker path over a mocked client: jobs that count one full (or legacy)
 * counter in the same turn of the event loop share one transaction and one read, and a
 * refused transaction ends each job as it would have ended alone.
 */
import {
  DynamoDBClient,
  GetItemCommand,
  TransactWriteItemsCommand,
  type TransactWriteItemsCommandInput,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ThrottledError } from '../../../../functions/shared/throttling';
import {
  type Counter,
  counterIdOf,
  markerIdOf,
  type Subject,
} from '../../../../functions/workers/detect-login-abuse/counter-item';
import { countWithMarker } from '../../../../functions/workers/detect-login-abuse/counter-markers';
import { windowOf } from '../../../../functions/workers/detect-login-abuse/windows';
import { transactionCancelled } from '../../../support/dynamo-errors';

const dynamodb = new DynamoDBClient({ region: 'eu-west-1' });
const mock = mockClient(dynamodb);
const window = windowOf('2026-11-28T10:01:00Z', 300);
const now = new Date('2026-11-28T10:02:00Z');
const ip: Subject = { kind: 'ip', value: '198.51.100.1' };
const counterId = counterIdOf(ip, window);

const counter = (jobId: string): Counter => ({
  dynamodb,
  table: 'counters',
  jobId,
  window,
  options: { now, random: () => 0 },
});
const together = (jobIds: readonly string[], legacy = false) =>
  Promise.all(
    jobIds.map((jobId) =>
      countWithMarker(counter(jobId), ip, counterId, legacy).catch((error: unknown) => error),
    ),
  );
const transactions = () =>
  mock.commandCalls(TransactWriteItemsCommand).map((c) => c.args[0].input.TransactItems ?? []);
/** The marker ids a transaction puts. */
const markersOf = (items: NonNullable<TransactWriteItemsCommandInput['TransactItems']>) =>
  items.flatMap((item) => item.Put?.Item?.counterId?.S ?? []);

beforeEach(() => {
  mock.reset();
  mock.on(GetItemCommand).resolves({ Item: { count: { N: '40' } } });
});

describe('countWithMarker', () => {
  it('jobs counting one full counter together share one transaction and one read', async () => {
    mock.on(TransactWriteItemsCommand).resolves({});
    const results = await together(['a', 'b', 'c']);
    expect(results).toEqual([
      { count: 40, counted: true },
      { count: 40, counted: true },
      { count: 40, counted: true },
    ]);
    const [items, ...more] = transactions();
    expect(more).toHaveLength(0);
    expect(markersOf(items ?? [])).toEqual(['a', 'b', 'c'].map((j) => markerIdOf(j, 'ip')));
    const update = items?.at(-1)?.Update;
    expect(update?.Key?.counterId?.S).toBe(counterId);
    expect(update?.UpdateExpression).toMatch(/^ADD #count :added /);
    expect(update?.ExpressionAttributeValues?.[':added']).toEqual({ N: '3' });
    expect(update?.ConditionExpression).toBe(
      'NOT contains(#jobs, :job0) AND NOT contains(#jobs, :job1) AND NOT contains(#jobs, :job2)',
    );
    expect(mock.commandCalls(GetItemCommand)).toHaveLength(1);
  });

  it("on a legacy counter each job's transaction items check the previous code's marker", async () => {
    mock.on(TransactWriteItemsCommand).resolves({});
    await together(['a', 'b'], true);
    const [items] = transactions();
    expect(items).toHaveLength(5);
    expect(items?.map((i) => i.ConditionCheck?.Key?.counterId?.S).filter(Boolean)).toEqual([
      markerIdOf('a'),
      markerIdOf('b'),
    ]);
  });

  it('a job whose marker is there was counted before; the others are counted together again', async () => {
    mock
      .on(TransactWriteItemsCommand)
      .rejectsOnce(transactionCancelled('None', 'ConditionalCheckFailed', 'None', 'None'))
      .resolves({});
    const results = await together(['a', 'b', 'c']);
    expect(results).toEqual([
      { count: 40, counted: true },
      { count: 40, counted: false },
      { count: 40, counted: true },
    ]);
    const [, retry] = transactions();
    expect(markersOf(retry ?? [])).toEqual([markerIdOf('a', 'ip'), markerIdOf('c', 'ip')]);
    expect(retry?.at(-1)?.Update?.ExpressionAttributeValues?.[':added']).toEqual({ N: '2' });
  });

  it("the counter's set names one of them: known from the refusal, the others go together", async () => {
    const ids = ['held', ...Array.from({ length: 24 }, (_, i) => `new-${i}`)];
    mock.on(TransactWriteItemsCommand).callsFake((input: TransactWriteItemsCommandInput) => {
      const items = input.TransactItems ?? [];
      const update = items.at(-1)?.Update;
      expect(update?.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
      if (markersOf(items).includes(markerIdOf('held', 'ip'))) {
        throw Object.assign(
          transactionCancelled(...items.slice(0, -1).map(() => 'None'), 'ConditionalCheckFailed'),
          {
            CancellationReasons: [
              ...items.slice(0, -1).map(() => ({ Code: 'None' })),
              {
                Code: 'ConditionalCheckFailed',
                Item: { count: { N: '40' }, jobs: { SS: ['held', 'x'] } },
              },
            ],
          },
        );
      }
      return {};
    });
    const results = await together(ids);
    expect(results.filter((r) => (r as { counted: boolean }).counted)).toHaveLength(24);
    expect((results[0] as { counted: boolean }).counted).toBe(false);
    expect(transactions().map((items) => markersOf(items).length)).toEqual([25, 24]);
  });

  it('a refusal that does not say which job: the group is halved, not split into singles', async () => {
    const ids = ['held', ...Array.from({ length: 24 }, (_, i) => `new-${i}`)];
    mock.on(TransactWriteItemsCommand).callsFake((input: TransactWriteItemsCommandInput) => {
      const items = input.TransactItems ?? [];
      if (markersOf(items).includes(markerIdOf('held', 'ip'))) {
        throw transactionCancelled(
          ...items.slice(0, -1).map(() => 'None'),
          'ConditionalCheckFailed',
        );
      }
      return {};
    });
    const results = await together(ids);
    expect(results.filter((r) => (r as { counted: boolean }).counted)).toHaveLength(24);
    // 25 → 13 + 12 → 7 + 6 → 4 + 3 → 2 + 2 → 1 + 1: eleven, not twenty-six.
    expect(transactions().length).toBeLessThanOrEqual(11);
  });

  it("only the counter's condition failed (its set names one): two jobs end alone", async () => {
    mock.on(TransactWriteItemsCommand).callsFake((input: TransactWriteItemsCommandInput) => {
      const items = input.TransactItems ?? [];
      if (items.length > 2) throw transactionCancelled('None', 'None', 'ConditionalCheckFailed');
      // Alone, b's own transaction meets the set that names it.
      if (markersOf(items)[0] === markerIdOf('b', 'ip'))
        throw transactionCancelled('None', 'ConditionalCheckFailed');
      return {};
    });
    const results = await together(['a', 'b']);
    expect(results).toEqual([
      { count: 40, counted: true },
      { count: 40, counted: false },
    ]);
    expect(transactions()).toHaveLength(3);
  });

  it('two copies of one job put one marker: one is counted, the other is not', async () => {
    mock.on(TransactWriteItemsCommand).resolves({});
    expect(await together(['a', 'a'])).toEqual([
      { count: 40, counted: true },
      { count: 40, counted: false },
    ]);
    expect(markersOf(transactions()[0] ?? [])).toEqual([markerIdOf('a', 'ip')]);
  });

  it('conflicts are tried again; throttling fails every job as throttling', async () => {
    mock
      .on(TransactWriteItemsCommand)
      .rejectsOnce(transactionCancelled('None', 'None', 'TransactionConflict'))
      .resolves({});
    expect(await together(['a', 'b'])).toEqual([
      { count: 40, counted: true },
      { count: 40, counted: true },
    ]);
    expect(transactions()).toHaveLength(2);

    mock.reset();
    mock
      .on(TransactWriteItemsCommand)
      .rejects(transactionCancelled('ThrottlingError', 'None', 'None'));
    for (const result of await together(['a', 'b'])) expect(result).toBeInstanceOf(ThrottledError);
    // Nothing was counted: the throttled table is not read as well.
    expect(mock.commandCalls(GetItemCommand)).toHaveLength(0);
  });

  it('more jobs than one transaction takes: one per twenty-five', async () => {
    mock.on(TransactWriteItemsCommand).resolves({});
    await together(Array.from({ length: 30 }, (_, i) => `job-${i}`));
    expect(transactions().map((items) => markersOf(items).length)).toEqual([25, 5]);
    expect(mock.commandCalls(GetItemCommand)).toHaveLength(1);
  });
});
