/**
 * Failed-login counters: one item per subject (account or IP address) and window in the
 * abuse-counters table. A failed login counts once for each of its subjects, however often
 * its job runs — a duplicate delivery, a retry after the security index refused a write, a
 * redrive of its dead letter days later — and each subject is counted on its own, so a run
 * cut short between the two is finished by the next one.
 *
 * The counter remembers the jobs it counted: a string set of up to {@link COUNTED_JOBS_CAP}
 * job ids beside the count. One conditional UpdateItem adds the job to the set and one to
 * the count unless the set has it, and returns the new count: one write unit, no read —
 * a third of what a transaction with a marker item costs (issue 19) — and jobs in flight
 * together that count the same counter share that update (counter-set.ts). A counter whose set is
 * full (an account or address under attack) counts further jobs the old way: a transaction
 * of a marker item `counted#<job id>#<kind>` put on the condition that none exists, and the
 * ADD on the condition that the set does not name the job, then a consistent read of the
 * count. The set stays bounded, so the item stays within one write unit whatever the attack.
 *
 * Counters written before the set existed (no `jobs` attribute) are counted the old way
 * too, and that transaction also checks the marker the previous code wrote per job
 * (`counted#<job id>`), so a job it counted is not counted again. Residual, only while a
 * deployment from that code is under way (both versions running): a job counted by one
 * version and run again by the other can count twice — the new code does not look for the
 * old per-job marker on a counter it created, and the old code does not read the set.
 *
 * Counters and markers live as long as a job can come back — its retries end within two
 * days and a dead letter waits at most SQS's 14 days for a redrive — counted from the later
 * of the window's end and the latest run, so a redrive finds the set that says its job was
 * counted (a counter recreated after expiry would count it again) and late events add up.
 * TTL deletes late, never early.
 */
import {
  type DynamoDBClient,
  GetItemCommand,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { fullJitterDelay, sleep } from '../../shared/backoff';
import { epochSeconds, type Item, num, readNum, str } from '../../shared/dynamo-attributes';
import { TransientError } from '../../shared/errors';
import {
  allOrWorst,
  classifyAwsErrorWithThrottling,
  ThrottledError,
} from '../../shared/throttling';
import {
  CONFLICT_BACKOFF,
  CONFLICT_TRIES,
  type Counter,
  type CountOptions,
  counterIdOf,
  counterUpdate,
  KEY,
  MARKER_RETENTION_SECONDS,
  markerIdOf,
  type Subject,
  TTL,
} from './counter-item';
import { addToCounterSet } from './counter-set';
import type { CountingWindow } from './windows';

export {
  COUNTED_JOBS_CAP,
  COUNTER_RETENTION_SECONDS,
  type CountOptions,
  counterIdOf,
  MARKER_RETENTION_SECONDS,
  markerIdOf,
  type Subject,
  type SubjectKind,
} from './counter-item';

/** Counters this environment found full, so later jobs go straight to the transaction. */
const FULL_COUNTERS_REMEMBERED = 1_000;
const fullCounters = new Set<string>();

/** The counts after a job's failure was counted. */
export interface CountResult {
  /** Each subject's count in the window, in the order given. */
  readonly counts: readonly number[];
  /** False when earlier runs of the same job had already counted it for every subject. */
  readonly counted: boolean;
}

/** One subject's count after this job, and whether this run added it. */
interface SubjectCount {
  readonly count: number;
  readonly counted: boolean;
}

/**
 * Counts job `jobId`'s failed login once for each of `subjects` in `window` and returns the
 * window's counts. Subjects are counted side by side, each on its own.
 *
 * @throws ThrottledError or TransientError (retry), PermanentError (dead-letter).
 * @example
 * ```ts
 * const { counts, counted } = await countFailureOnce(dynamodb, table, jobId,
 *   [{ kind: 'account', value: 'acc-1' }, { kind: 'ip', value: '203.0.113.9' }], window,
 *   { now: new Date() });
 * ```
 */
export async function countFailureOnce(
  dynamodb: DynamoDBClient,
  table: string,
  jobId: string,
  subjects: readonly Subject[],
  window: CountingWindow,
  options: CountOptions,
): Promise<CountResult> {
  const counter = { dynamodb, table, jobId, window, options };
  const results = await allOrWorst(subjects.map((subject) => countOnce(counter, subject)));
  return { counts: results.map((r) => r.count), counted: results.some((r) => r.counted) };
}

async function countOnce(counter: Counter, subject: Subject): Promise<SubjectCount> {
  const counterId = counterIdOf(subject, counter.window);
  const fast = fullCounters.has(counterId)
    ? ({ kind: 'full' } as const)
    : await addToCounterSet(counter, subject, counterId);
  if (fast.kind === 'counted') return { count: fast.count, counted: true };
  if (fast.kind === 'known') return { count: fast.count, counted: false };
  if (fast.kind === 'full') remember(counterId);
  const counted = await addWithMarker(counter, subject, counterId, fast.kind === 'legacy');
  return { count: await readCount(counter.dynamodb, counter.table, counterId), counted };
}

function remember(counterId: string): void {
  if (fullCounters.size >= FULL_COUNTERS_REMEMBERED) fullCounters.clear();
  fullCounters.add(counterId);
}

/**
 * The transaction for a full or legacy counter: the job's marker for this kind, put if
 * absent, with the ADD on the condition that the set does not name the job (and, for a
 * legacy counter, that the previous code's marker is absent). False when a condition
 * failed: an earlier run counted the job.
 */
async function addWithMarker(
  counter: Counter,
  subject: Subject,
  counterId: string,
  legacy: boolean,
): Promise<boolean> {
  const { table, jobId } = counter;
  const now = epochSeconds(counter.options.now);
  const { set, names, values } = counterUpdate(counter, subject);
  const absent = {
    ConditionExpression: 'attribute_not_exists(#key)',
    ExpressionAttributeNames: { '#key': KEY },
  };
  const items: TransactWriteItem[] = [
    {
      Put: {
        TableName: table,
        Item: {
          [KEY]: str(markerIdOf(jobId, subject.kind)),
          windowStart: str(counter.window.start),
          [TTL]: num(now + MARKER_RETENTION_SECONDS),
        },
        ...absent,
      },
    },
    {
      Update: {
        TableName: table,
        Key: { [KEY]: str(counterId) },
        UpdateExpression: `ADD #count :one ${set}`,
        ConditionExpression: 'NOT contains(#jobs, :jobId)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ...values, ':one': num(1), ':jobId': str(jobId) },
      },
    },
  ];
  if (legacy) {
    items.push({
      ConditionCheck: { TableName: table, Key: { [KEY]: str(markerIdOf(jobId)) }, ...absent },
    });
  }
  const transaction = new TransactWriteItemsCommand({ TransactItems: items });
  for (let attempt = 1; ; attempt++) {
    try {
      await counter.dynamodb.send(transaction);
      return true;
    } catch (error) {
      const codes = cancellationCodes(error);
      // A marker is there, or the set names the job: an earlier run counted it.
      if (codes?.includes('ConditionalCheckFailed')) return false;
      if (codes?.includes('TransactionConflict') && attempt < CONFLICT_TRIES) {
        await sleep(fullJitterDelay(CONFLICT_BACKOFF, attempt, counter.options.random));
        continue;
      }
      throw classifyCancellation(error, codes, `count failure of job ${jobId}`);
    }
  }
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
