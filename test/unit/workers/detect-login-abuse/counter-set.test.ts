/**
 * The counters' set path over a mocked client: jobs that count one counter in the same turn
 * of the event loop share one conditional update, and every answer DynamoDB can give that
 * update ends each job where it would have ended alone.
 */
import {
  DynamoDBClient,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ThrottledError } from '../../../../functions/shared/throttling';
import {
  COUNTED_JOBS_CAP,
  COUNTER_RETENTION_SECONDS,
  type Counter,
  counterIdOf,
  type Subject,
} from '../../../../functions/workers/detect-login-abuse/counter-item';
import { addToCounterSet } from '../../../../functions/workers/detect-login-abuse/counter-set';
import { windowOf } from '../../../../functions/workers/detect-login-abuse/windows';
import { conditionFailed } from '../../../support/dynamo-errors';

const dynamodb = new DynamoDBClient({ region: 'eu-west-1' });
const mock = mockClient(dynamodb);
const window = windowOf('2026-11-28T10:01:00Z', 300);
const now = new Date('2026-11-28T10:02:00Z');
const account: Subject = { kind: 'account', value: 'acc-1' };
const ip: Subject = { kind: 'ip', value: '203.0.113.9' };

const counter = (jobId: string, at = now): Counter => ({
  dynamodb,
  table: 'counters',
  jobId,
  window,
  options: { now: at, random: () => 0 },
});
/** Jobs started together, as the job runtime starts a batch's jobs. */
const together = (subject: Subject, jobIds: readonly string[]) =>
  Promise.all(
    jobIds.map((jobId) =>
      addToCounterSet(counter(jobId), subject, counterIdOf(subject, window)).catch(
        (error: unknown) => error,
      ),
    ),
  );
const updates = () => mock.commandCalls(UpdateItemCommand).map((c) => c.args[0].input);
const ids = (n: number, prefix = 'job') => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

beforeEach(() => {
  mock.reset();
});

describe('addToCounterSet', () => {
  it('jobs counting one counter together share one update, each with its own count', async () => {
    mock.on(UpdateItemCommand).resolves({ Attributes: { count: { N: '7' } } });
    const results = await together(account, ['a', 'b', 'c']);

    expect(results).toEqual([
      { kind: 'counted', count: 5 },
      { kind: 'counted', count: 6 },
      { kind: 'counted', count: 7 },
    ]);
    const [update, ...more] = updates();
    expect(more).toHaveLength(0);
    expect(update?.Key?.counterId?.S).toBe(counterIdOf(account, window));
    expect(update?.UpdateExpression).toMatch(/^ADD #count :added, #jobs :jobs /);
    expect(update?.ExpressionAttributeValues?.[':added']).toEqual({ N: '3' });
    expect(update?.ExpressionAttributeValues?.[':jobs']).toEqual({ SS: ['a', 'b', 'c'] });
    // Room for all three, and none of them counted before.
    expect(update?.ExpressionAttributeValues?.[':room']).toEqual({
      N: String(COUNTED_JOBS_CAP - 3),
    });
    for (const [k, jobId] of ['a', 'b', 'c'].entries()) {
      expect(update?.ConditionExpression).toContain(`NOT contains(#jobs, :job${k})`);
      expect(update?.ExpressionAttributeValues?.[`:job${k}`]).toEqual({ S: jobId });
    }
    expect(update?.ConditionExpression).toMatch(/^attribute_not_exists\(#key\) OR \(/);
    expect(update?.ConditionExpression).toContain('size(#jobs) <= :room');
  });

  it('two copies of one job in flight add it once: one is counted, the other knows it', async () => {
    mock.on(UpdateItemCommand).resolves({ Attributes: { count: { N: '2' } } });
    const results = await together(ip, ['a', 'b', 'a']);
    expect(results).toEqual([
      { kind: 'counted', count: 1 },
      { kind: 'counted', count: 2 },
      { kind: 'known', count: 1 },
    ]);
    expect(updates()[0]?.ExpressionAttributeValues?.[':jobs']).toEqual({ SS: ['a', 'b'] });
  });

  it('each counter gets its own update; a lone job takes the same update alone', async () => {
    mock.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => ({
      Attributes: { count: { N: input.Key?.counterId?.S?.startsWith('ip#') ? '1' : '2' } },
    }));
    const [onAccount, onIp] = await Promise.all([
      together(account, ['a', 'b']),
      together(ip, ['c']),
    ]);
    expect(onAccount).toEqual([
      { kind: 'counted', count: 1 },
      { kind: 'counted', count: 2 },
    ]);
    expect(onIp).toEqual([{ kind: 'counted', count: 1 }]);
    const byCounter = new Map(updates().map((u) => [u.Key?.counterId?.S, u]));
    expect(byCounter.size).toBe(2);
    // A lone job takes the same update, with itself alone in it.
    const lone = byCounter.get(counterIdOf(ip, window));
    expect(lone?.UpdateExpression).toMatch(/^ADD #count :added, #jobs :jobs /);
    expect(lone?.ExpressionAttributeValues?.[':jobs']).toEqual({ SS: ['c'] });
    expect(lone?.ExpressionAttributeValues?.[':added']).toEqual({ N: '1' });
  });

  it('additions through different clients are never merged', async () => {
    const other = new DynamoDBClient({ region: 'eu-west-1' });
    const otherMock = mockClient(other);
    otherMock.on(UpdateItemCommand).resolves({ Attributes: { count: { N: '1' } } });
    mock.on(UpdateItemCommand).resolves({ Attributes: { count: { N: '1' } } });
    const id = counterIdOf(account, window);
    await Promise.all([
      addToCounterSet(counter('a'), account, id),
      addToCounterSet({ ...counter('b'), dynamodb: other }, account, id),
    ]);
    expect(updates()).toHaveLength(1);
    expect(otherMock.commandCalls(UpdateItemCommand)).toHaveLength(1);
    otherMock.restore();
  });

  it('more jobs than a set holds: one update per sixteen', async () => {
    mock.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => ({
      Attributes: { count: { N: input.ExpressionAttributeValues?.[':added']?.N ?? '1' } },
    }));
    const results = await together(account, ids(COUNTED_JOBS_CAP + 4));
    expect(updates().map((u) => u.ExpressionAttributeValues?.[':jobs']?.SS?.length)).toEqual([
      COUNTED_JOBS_CAP,
      4,
    ]);
    expect(results.every((r) => (r as { kind: string }).kind === 'counted')).toBe(true);
  });

  it('a set that names some of them: those are known, the others are counted alone', async () => {
    mock.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => {
      const alone = input.ExpressionAttributeValues?.[':jobs']?.SS;
      if (alone?.length !== 1) {
        throw conditionFailed({ count: { N: '4' }, jobs: { SS: ['x', 'b'] } });
      }
      return {
        Attributes: {
          count: { N: alone[0] === 'a' ? '5' : '6' },
        },
      };
    });
    const results = await together(account, ['a', 'b', 'c']);
    expect(results).toEqual([
      { kind: 'counted', count: 5 },
      { kind: 'known', count: 4 },
      { kind: 'counted', count: 6 },
    ]);
    const singles = updates().filter((u) => u.ExpressionAttributeValues?.[':added']?.N === '1');
    expect(singles.map((u) => u.ExpressionAttributeValues?.[':job0']?.S).sort()).toEqual([
      'a',
      'c',
    ]);
  });

  it('a full set sends them all to the markers, a set-less counter is legacy: no more updates', async () => {
    mock
      .on(UpdateItemCommand)
      .rejects(conditionFailed({ count: { N: '40' }, jobs: { SS: ids(COUNTED_JOBS_CAP, 'o') } }));
    expect(await together(ip, ['a', 'b'])).toEqual([{ kind: 'full' }, { kind: 'full' }]);
    expect(updates()).toHaveLength(1);

    mock.reset();
    mock.on(UpdateItemCommand).rejects(conditionFailed({ count: { N: '2' } }));
    expect(await together(ip, ['a', 'b'])).toEqual([{ kind: 'legacy' }, { kind: 'legacy' }]);
    expect(updates()).toHaveLength(1);
  });

  it('throttling fails every job of the update, as throttling', async () => {
    mock.on(UpdateItemCommand).rejects(
      Object.assign(new Error('Rate exceeded'), {
        name: 'ProvisionedThroughputExceededException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const results = await together(account, ['a', 'b']);
    for (const result of results) expect(result).toBeInstanceOf(ThrottledError);
  });

  it('the latest run of the group sets the TTL', async () => {
    mock.on(UpdateItemCommand).resolves({ Attributes: { count: { N: '2' } } });
    const late = new Date('2026-12-06T08:00:00Z');
    const id = counterIdOf(account, window);
    await Promise.all([
      addToCounterSet(counter('a'), account, id),
      addToCounterSet(counter('b', late), account, id),
    ]);
    expect(updates()[0]?.ExpressionAttributeValues?.[':ttl']).toEqual({
      N: String(late.getTime() / 1000 + COUNTER_RETENTION_SECONDS),
    });
  });
});
