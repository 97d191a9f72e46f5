/**
 * The counters' fast path: a job is counted by adding its id to the counter's set of up to
 * {@link COUNTED_JOBS_CAP} and one to its count, in one conditional UpdateItem that returns
 * the new count — unless the set names the job already (`known`), is full (`full`) or the
 * counter predates the set (`legacy`); those two are counted with a marker (counter-markers.ts).
 *
 * Jobs that count the same counter at the same time share one update: the jobs of a
 * delivered batch start in the same turn of the event loop, and the additions asked for in
 * one turn are sent together on the next (counter-batching.ts), one UpdateItem per counter for up to
 * {@link COUNTED_JOBS_CAP} jobs — on the condition that the set names none of them and has
 * room for all. An account or address under attack is counted once per batch instead of once
 * per failed login: fewer write units, and less pressure on the one item every attempt
 * writes (a DynamoDB item takes at most 1,000 writes a second). A lone job takes the same
 * update. When that condition fails, the jobs the set names are known, and each of the
 * others is counted on its own, as if it had come alone.
 */
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { type Item, isConditionFailed, num, readNum, str } from '../../shared/dynamo-attributes';
import { classifyAwsErrorWithThrottling } from '../../shared/throttling';
import { type CounterRequest, counterLoader, firstOfEachJob } from './counter-batching';
import {
  COUNTED_JOBS_CAP,
  type Counter,
  counterUpdate,
  groupKeyOf,
  JOBS,
  KEY,
  type Subject,
  withConflictRetries,
} from './counter-item';

export type FastPath =
  | { readonly kind: 'counted' | 'known'; readonly count: number }
  | { readonly kind: 'full' | 'legacy' };

/** One job's addition to one counter's set. */
interface SetAddition extends CounterRequest {
  readonly subject: Subject;
}

const additions = counterLoader<SetAddition, FastPath>(
  (addition) => groupKeyOf(addition.counter, addition.counterId),
  addToOneCounter,
);

/**
 * Adds the job to the counter's set and one to its count — together with the other jobs
 * counting the same counter in this turn of the event loop.
 *
 * @example
 * ```ts
 * const fast = await addToCounterSet(counter, subject, counterIdOf(subject, counter.window));
 * if (fast.kind === 'counted') fast.count; // the count with this job
 * ```
 */
export function addToCounterSet(
  counter: Counter,
  subject: Subject,
  counterId: string,
): Promise<FastPath> {
  return additions.load({ counter, subject, counterId });
}

/**
 * One counter's additions. The same job twice (two deliveries of one message side by side)
 * is added once; its other copies learn it is known.
 */
async function addToOneCounter(additions: readonly SetAddition[]): Promise<(FastPath | Error)[]> {
  const { distinct, isCopy } = firstOfEachJob(additions);
  const byJob = new Map<string, FastPath | Error>();
  for (let start = 0; start < distinct.length; start += COUNTED_JOBS_CAP) {
    const group = distinct.slice(start, start + COUNTED_JOBS_CAP);
    const outcomes = await addGroup(group);
    group.forEach((addition, k) => {
      byJob.set(addition.counter.jobId, outcomes[k] as FastPath | Error);
    });
  }
  return additions.map((addition, i) => {
    const outcome = byJob.get(addition.counter.jobId) as FastPath | Error;
    return isCopy(i) && !(outcome instanceof Error) && outcome.kind === 'counted'
      ? { kind: 'known', count: outcome.count }
      : outcome;
  });
}

/**
 * Distinct jobs of one counter, at most the cap: one update for all of them. Refused, the
 * jobs the set names are known; a full set (or a lone job it refused) goes to the markers;
 * otherwise another addition took the room, and each job tries again alone.
 */
async function addGroup(group: readonly SetAddition[]): Promise<(FastPath | Error)[]> {
  try {
    const count = await addAll(group);
    return group.map((_, k) => ({ kind: 'counted', count: count - group.length + 1 + k }));
  } catch (error) {
    if (!isConditionFailed(error)) {
      const what =
        group.length === 1
          ? `count failure of job ${(group[0] as SetAddition).counter.jobId}`
          : `count ${group.length} failures`;
      const failure = classifyAwsErrorWithThrottling(error, what);
      return group.map(() => failure);
    }
    const before = (error as { Item?: Item }).Item ?? {};
    const jobs = before[JOBS]?.SS;
    if (jobs === undefined) return group.map(() => ({ kind: 'legacy' }));
    return Promise.all(
      group.map(async (addition): Promise<FastPath | Error> => {
        if (jobs.includes(addition.counter.jobId)) {
          return { kind: 'known', count: readNum(before, 'count') ?? 0 };
        }
        if (group.length === 1 || jobs.length >= COUNTED_JOBS_CAP) return { kind: 'full' };
        return (await addGroup([addition]))[0] as FastPath | Error;
      }),
    );
  }
}

/** The update for a group of jobs (one or more); the new count, or the SDK's error. */
async function addAll(group: readonly SetAddition[]): Promise<number> {
  const [first] = group as [SetAddition];
  // The latest run's time sets the TTL: TTL deletes late, never early.
  const latest = group.reduce((a, b) => (b.counter.options.now > a.counter.options.now ? b : a));
  const { set, names, values } = counterUpdate(latest.counter, first.subject);
  const jobIds = group.map((addition) => addition.counter.jobId);
  const named = Object.fromEntries(jobIds.map((jobId, k) => [`:job${k}`, str(jobId)]));
  const none = jobIds.map((_, k) => `NOT contains(#jobs, :job${k})`).join(' AND ');
  const update = new UpdateItemCommand({
    TableName: first.counter.table,
    Key: { [KEY]: str(first.counterId) },
    UpdateExpression: `ADD #count :added, #jobs :jobs ${set}`,
    ConditionExpression: `attribute_not_exists(#key) OR (attribute_exists(#jobs) AND size(#jobs) <= :room AND ${none})`,
    ExpressionAttributeNames: { ...names, '#key': KEY },
    ExpressionAttributeValues: {
      ...values,
      ...named,
      ':added': num(group.length),
      ':jobs': { SS: jobIds },
      ':room': num(COUNTED_JOBS_CAP - group.length),
    },
    ReturnValues: 'UPDATED_NEW',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  });
  const { Attributes: after } = await withConflictRetries(
    () => first.counter.dynamodb.send(update),
    first.counter.options.random,
  );
  return (after && readNum(after, 'count')) ?? group.length;
}
