/**
 * Failed-login counters: one item per subject (account or IP address) and window in the
 * abuse-counters table. A failed login counts once for each of its subjects, however often
 * its job runs — a duplicate delivery, a retry after the security index refused a write, a
 * redrive of its dead letter days later: one transaction adds to every counter and puts a
 * marker for the job (`counted#<job id>`) on the condition that none exists. A second run
 * finds the marker, adds nothing and reads the counts as they are.
 *
 * A counter expires through the table's TTL a day after its window or its last late event,
 * whichever is later, so late events still add up. A marker lives longer than any job can:
 * retries end within two days and a dead letter waits at most SQS's 14 days for a redrive.
 */
import {
  type DynamoDBClient,
  GetItemCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { type BackoffPolicy, fullJitterDelay, sleep } from '../../shared/backoff';
import { epochSeconds, type Item, num, readNum, str } from '../../shared/dynamo-attributes';
import { TransientError } from '../../shared/errors';
import { classifyAwsErrorWithThrottling, ThrottledError } from '../../shared/throttling';
import { TABLES } from '../../topology/topology';
import type { CountingWindow } from './windows';

/** What is counted: failures per account and failures per source address. */
export type SubjectKind = 'account' | 'ip';

export interface Subject {
  readonly kind: SubjectKind;
  /** The account id, or the IP address in lower case. */
  readonly value: string;
}

/** How long a counter outlives its window (or its latest increment, if later). */
export const COUNTER_RETENTION_SECONDS = 86_400;
/**
 * How long a job's marker is kept: longer than the job can come back — its retries fit in
 * two days (job-definition.ts) and SQS keeps a dead letter for at most 14 days.
 */
export const MARKER_RETENTION_SECONDS = 16 * 86_400;

/**
 * Transactions on one counter conflict when they overlap (an IP under attack): each is
 * refused as a whole and is safe to try again at once. A few quick tries, then the job's
 * own backoff.
 */
const CONFLICT_TRIES = 5;
const CONFLICT_BACKOFF: BackoffPolicy = { baseMs: 20, capMs: 400 };

const KEY = TABLES.abuseCounters.partitionKey;
const TTL = TABLES.abuseCounters.ttl;

/**
 * The counter item's key. The subject is URI-encoded so it cannot run into the separators.
 *
 * @example
 * ```ts
 * counterIdOf({ kind: 'ip', value: '203.0.113.9' }, window); // 'ip#203.0.113.9#2026-11-28T10:05:00.000Z'
 * ```
 */
export function counterIdOf(subject: Subject, window: CountingWindow): string {
  return `${subject.kind}#${encodeURIComponent(subject.value)}#${window.start}`;
}

/**
 * The key of the marker that says a job's failure is counted.
 *
 * @example
 * ```ts
 * markerIdOf('0f3a…'); // 'counted#0f3a…'
 * ```
 */
export function markerIdOf(jobId: string): string {
  return `counted#${jobId}`;
}

/** The counts after a job's failure was counted. */
export interface CountResult {
  /** Each subject's count in the window, in the order given. */
  readonly counts: readonly number[];
  /** False when an earlier run of the same job had already counted it. */
  readonly counted: boolean;
}

export interface CountOptions {
  /** The time of the run: TTLs are set from it. */
  readonly now: Date;
  /** Jitter for retries after conflicts; Math.random by default. */
  readonly random?: () => number;
}

/**
 * Counts job `jobId`'s failed login once for each of `subjects` in `window` and returns the
 * window's counts: one transaction of the marker's conditional put and every counter's ADD.
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
  const counted = await addOnce(dynamodb, table, jobId, subjects, window, options);
  const counts = await Promise.all(
    subjects.map((subject) => readCount(dynamodb, table, counterIdOf(subject, window))),
  );
  return { counts, counted };
}

/** The transaction; false when the marker was already there. */
async function addOnce(
  dynamodb: DynamoDBClient,
  table: string,
  jobId: string,
  subjects: readonly Subject[],
  window: CountingWindow,
  options: CountOptions,
): Promise<boolean> {
  const now = epochSeconds(options.now);
  const counterTtl = Math.max(window.endSeconds, now) + COUNTER_RETENTION_SECONDS;
  const transaction = new TransactWriteItemsCommand({
    TransactItems: [
      {
        Put: {
          TableName: table,
          Item: {
            [KEY]: str(markerIdOf(jobId)),
            windowStart: str(window.start),
            [TTL]: num(now + MARKER_RETENTION_SECONDS),
          },
          ConditionExpression: 'attribute_not_exists(#key)',
          ExpressionAttributeNames: { '#key': KEY },
        },
      },
      ...subjects.map((subject) => ({
        Update: {
          TableName: table,
          Key: { [KEY]: str(counterIdOf(subject, window)) },
          UpdateExpression:
            'ADD #count :one SET #kind = :kind, #subject = :subject, #windowStart = :start, #ttl = :ttl',
          ExpressionAttributeNames: {
            '#count': 'count',
            '#kind': 'kind',
            '#subject': 'subject',
            '#windowStart': 'windowStart',
            '#ttl': TTL,
          },
          ExpressionAttributeValues: {
            ':one': num(1),
            ':kind': str(subject.kind),
            ':subject': str(subject.value),
            ':start': str(window.start),
            ':ttl': num(counterTtl),
          },
        },
      })),
    ],
  });
  for (let attempt = 1; ; attempt++) {
    try {
      await dynamodb.send(transaction);
      return true;
    } catch (error) {
      const codes = cancellationCodes(error);
      // The marker (the first item) is there: this job's failure is counted already.
      if (codes?.[0] === 'ConditionalCheckFailed') return false;
      if (codes?.includes('TransactionConflict') && attempt < CONFLICT_TRIES) {
        await sleep(fullJitterDelay(CONFLICT_BACKOFF, attempt, options.random));
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
