/**
 * The counters' marker path, for a counter whose set is full (an account or address under
 * attack) or that predates the set (legacy): a transaction puts a marker per job
 * (`counted#<job id>#<kind>`) on the condition that none exists — for a legacy counter also
 * checking the marker the previous code wrote (`counted#<job id>`) — with the counter's ADD
 * on the condition that its set names none of the jobs; then one consistent read of the count.
 *
 * As on the set path (counter-set.ts), the jobs in flight together that count the same
 * counter share one transaction: k markers and one update, (k + 1) × 2 write units instead
 * of k × 4, and one read instead of k. Under attack this is the path every failed login
 * takes, and one item takes at most 1,000 write units a second — 500 transactions: sharing
 * them lets a counter keep up with ten times as many failures. When a condition fails (a
 * job counted before), the jobs whose own marker answered and those the counter's set names
 * (its item comes back with the refusal) are known, the others try again together; should
 * the refusal not say which job, the group is halved until it does.
 */
import {
  type DynamoDBClient,
  GetItemCommand,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { epochSeconds, type Item, num, readNum, str } from '../../shared/dynamo-attributes';
import { TransientError } from '../../shared/errors';
import { classifyAwsErrorWithThrottling, ThrottledError } from '../../shared/throttling';
import { type CounterRequest, counterLoader, firstOfEachJob } from './counter-batching';
import {
  type Counter,
  counterUpdate,
  groupKeyOf,
  JOBS,
  KEY,
  MARKER_RETENTION_SECONDS,
  markerIdOf,
  type Subject,
  TTL,
  withConflictRetries,
} from './counter-item';

/** One subject's count after a job, and whether this run added the job. */
export interface SubjectCount {
  readonly count: number;
  readonly counted: boolean;
}

/** Jobs in one transaction: k markers (and k legacy checks) and the counter, ≤ 100 items. */
const MARKED_TOGETHER_CAP = 25;

interface Marking extends CounterRequest {
  readonly subject: Subject;
  readonly legacy: boolean;
}

const markings = counterLoader<Marking, SubjectCount>(
  (marking) => `${groupKeyOf(marking.counter, marking.counterId)}\u0000${marking.legacy}`,
  markOneCounter,
);

/**
 * Counts the job on a full or legacy counter with its marker — in one transaction with the
 * other jobs counting the same counter in this turn of the event loop — and reads the count.
 *
 * @example
 * ```ts
 * const { count, counted } = await countWithMarker(counter, subject, counterId, false);
 * ```
 */
export function countWithMarker(
  counter: Counter,
  subject: Subject,
  counterId: string,
  legacy: boolean,
): Promise<SubjectCount> {
  return markings.load({ counter, subject, counterId, legacy });
}

/** One counter's jobs: copies of one job are marked once; the count is read once. */
async function markOneCounter(markings: readonly Marking[]): Promise<(SubjectCount | Error)[]> {
  const { distinct, isCopy } = firstOfEachJob(markings);
  const counted = new Map<string, boolean | Error>();
  for (let start = 0; start < distinct.length; start += MARKED_TOGETHER_CAP) {
    const group = distinct.slice(start, start + MARKED_TOGETHER_CAP);
    for (const [jobId, outcome] of await markGroup(group)) counted.set(jobId, outcome);
  }
  const [first] = markings as [Marking];
  let count: number | Error = 0;
  // Nothing to read for when every job failed (a throttled table gets no extra request).
  if ([...counted.values()].some((outcome) => !(outcome instanceof Error))) {
    try {
      count = await readCount(first.counter.dynamodb, first.counter.table, first.counterId);
    } catch (error) {
      count = error as Error;
    }
  }
  return markings.map((marking, i) => {
    const outcome = counted.get(marking.counter.jobId) as boolean | Error;
    if (outcome instanceof Error) return outcome;
    if (count instanceof Error) return count;
    return { count, counted: outcome && !isCopy(i) };
  });
}

/** Marks a group of distinct jobs: whether each was counted now (false: before). */
async function markGroup(group: readonly Marking[]): Promise<Map<string, boolean | Error>> {
  const outcomes = new Map<string, boolean | Error>();
  let pending = group;
  while (pending.length > 0) {
    try {
      await sendMarking(pending);
      for (const marking of pending) outcomes.set(marking.counter.jobId, true);
      return outcomes;
    } catch (error) {
      if (!(error instanceof MarkingRefused)) {
        for (const marking of pending) outcomes.set(marking.counter.jobId, error as Error);
        return outcomes;
      }
      for (const jobId of error.countedBefore) outcomes.set(jobId, false);
      const rest = pending.filter((m) => !error.countedBefore.has(m.counter.jobId));
      if (rest.length === pending.length) {
        // Only the counter's condition failed and its set did not come back to say which job
        // it names: halve the group until it does (at most 2 log2 k more transactions).
        if (pending.length === 1) {
          outcomes.set((pending[0] as Marking).counter.jobId, false);
          return outcomes;
        }
        const half = Math.ceil(pending.length / 2);
        for (const part of [pending.slice(0, half), pending.slice(half)]) {
          for (const [jobId, outcome] of await markGroup(part)) outcomes.set(jobId, outcome);
        }
        return outcomes;
      }
      pending = rest;
    }
  }
  return outcomes;
}

/**
 * A condition failed: the jobs whose own marker (or the previous code's) is there, and those
 * the counter's set names (its item comes back with the refusal).
 */
class MarkingRefused extends Error {
  override name = 'MarkingRefused';
  constructor(readonly countedBefore: ReadonlySet<string>) {
    super('a marker or the set says a job was counted before');
  }
}

/** The transaction for `group` (distinct jobs of one counter); retried on conflicts. */
async function sendMarking(group: readonly Marking[]): Promise<void> {
  const [first] = group as [Marking];
  const { table } = first.counter;
  const latest = group.reduce((a, b) => (b.counter.options.now > a.counter.options.now ? b : a));
  const markerTtl = epochSeconds(latest.counter.options.now) + MARKER_RETENTION_SECONDS;
  const { set, names, values } = counterUpdate(latest.counter, first.subject);
  const absent = {
    ConditionExpression: 'attribute_not_exists(#key)',
    ExpressionAttributeNames: { '#key': KEY },
  };
  const items: TransactWriteItem[] = [];
  const owners: string[] = [];
  for (const { counter } of group) {
    items.push({
      Put: {
        TableName: table,
        Item: {
          [KEY]: str(markerIdOf(counter.jobId, first.subject.kind)),
          windowStart: str(counter.window.start),
          [TTL]: num(markerTtl),
        },
        ...absent,
      },
    });
    owners.push(counter.jobId);
    if (first.legacy) {
      items.push({
        ConditionCheck: {
          TableName: table,
          Key: { [KEY]: str(markerIdOf(counter.jobId)) },
          ...absent,
        },
      });
      owners.push(counter.jobId);
    }
  }
  const jobIds = group.map((m) => m.counter.jobId);
  items.push({
    Update: {
      TableName: table,
      Key: { [KEY]: str(first.counterId) },
      UpdateExpression: `ADD #count :added ${set}`,
      ConditionExpression: jobIds.map((_, k) => `NOT contains(#jobs, :job${k})`).join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: {
        ...values,
        ':added': num(group.length),
        ...Object.fromEntries(jobIds.map((jobId, k) => [`:job${k}`, str(jobId)])),
      },
      // The set as it was, with the refusal: it names the jobs counted before.
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  });
  const transaction = new TransactWriteItemsCommand({ TransactItems: items });
  try {
    // A refusal (a condition failed) is an answer, not a conflict to wait out.
    await withConflictRetries(
      () => first.counter.dynamodb.send(transaction),
      first.counter.options.random,
      (error) => {
        const codes = cancellationCodes(error);
        return (
          !!codes?.includes('TransactionConflict') && !codes.includes('ConditionalCheckFailed')
        );
      },
    );
  } catch (error) {
    const codes = cancellationCodes(error);
    if (codes?.includes('ConditionalCheckFailed')) {
      const countedBefore = new Set<string>();
      codes.forEach((code, i) => {
        if (code === 'ConditionalCheckFailed' && i < owners.length) {
          countedBefore.add(owners[i] as string);
        }
      });
      const named = new Set(setOfRefusedCounter(error, owners.length));
      for (const jobId of jobIds) if (named.has(jobId)) countedBefore.add(jobId);
      throw new MarkingRefused(countedBefore);
    }
    throw classifyCancellation(
      error,
      codes,
      `count failure of ${group.length === 1 ? `job ${first.counter.jobId}` : `${group.length} jobs`}`,
    );
  }
}

/** The job ids in the counter's set, from its refusal (the transaction's item `at`). */
function setOfRefusedCounter(error: unknown, at: number): readonly string[] {
  const reasons = (error as { CancellationReasons?: Array<{ Code?: string; Item?: Item }> })
    .CancellationReasons;
  const reason = reasons?.[at];
  return reason?.Code === 'ConditionalCheckFailed' ? (reason.Item?.[JOBS]?.SS ?? []) : [];
}

/** The reason codes of a cancelled transaction, one per item (`None` where it was fine). */
function cancellationCodes(error: unknown): string[] | undefined {
  const shape = error as { name?: string; CancellationReasons?: Array<{ Code?: string }> } | null;
  if (shape?.name !== 'TransactionCanceledException') return undefined;
  return (shape.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
}

/**
 * A cancelled transaction is the caller's fault only for a reason of its own making
 * (validation); conflicts, throttling and capacity are the service pushing back.
 */
function classifyCancellation(
  error: unknown,
  codes: readonly string[] | undefined,
  context: string,
): Error {
  if (codes === undefined) return classifyAwsErrorWithThrottling(error, context);
  const detail = `${context}: transaction cancelled (${codes.join(', ')})`;
  const reasons = codes.filter((code) => code !== 'None');
  if (reasons.some((c) => c === 'ThrottlingError' || c === 'ProvisionedThroughputExceeded')) {
    return new ThrottledError(detail, { cause: error });
  }
  if (reasons.length > 0 && reasons.every((c) => c === 'TransactionConflict')) {
    return new TransientError(detail, { cause: error });
  }
  return classifyAwsErrorWithThrottling(error, context);
}

/** A counter's value now (0 when it has none), read consistently. */
async function readCount(dynamodb: DynamoDBClient, table: string, counterId: string) {
  let item: Item | undefined;
  try {
    ({ Item: item } = await dynamodb.send(
      new GetItemCommand({
        TableName: table,
        Key: { [KEY]: str(counterId) },
        ProjectionExpression: '#count',
        ExpressionAttributeNames: { '#count': 'count' },
        ConsistentRead: true,
      }),
    ));
  } catch (error) {
    throw classifyAwsErrorWithThrottling(error, `read count ${counterId}`);
  }
  return (item && readNum(item, 'count')) ?? 0;
}
