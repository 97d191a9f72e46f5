/**
 * The abuse-counters table's items as the counters write them: a counter per subject and
 * window (`<kind>#<subject>#<window start>`: a count, the set of jobs it counted, a TTL) and
 * a marker per job for counters whose set is full (`counted#<job id>#<kind>`). Shared by the
 * set path (counter-set.ts) and the marker path (counters.ts).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type BackoffPolicy, fullJitterDelay, sleep } from '../../shared/backoff';
import { epochSeconds, num, str } from '../../shared/dynamo-attributes';
import { TABLES } from '../../topology/topology';
import type { CountingWindow } from './windows';

/** What is counted: failures per account and failures per source address. */
export type SubjectKind = 'account' | 'ip';

export interface Subject {
  readonly kind: SubjectKind;
  /** The account id, or the IP address in lower case. */
  readonly value: string;
}

/**
 * How long a job's marker is kept: longer than the job can come back — its retries fit in
 * two days (job-definition.ts) and SQS keeps a dead letter for at most 14 days.
 */
export const MARKER_RETENTION_SECONDS = 16 * 86_400;
/**
 * How long a counter outlives its window (or its latest increment, if later): as long as a
 * marker, because its job set is the marker of the jobs it holds.
 */
export const COUNTER_RETENTION_SECONDS = MARKER_RETENTION_SECONDS;
/**
 * Job ids a counter remembers in its own item: 16 of 32 characters are half a kilobyte, so
 * the item stays within one write unit (1 KB) with a subject of a few hundred bytes.
 */
export const COUNTED_JOBS_CAP = 16;

export const KEY = TABLES.abuseCounters.partitionKey;
export const TTL = TABLES.abuseCounters.ttl;
export const JOBS = 'jobs';

/**
 * Transactions on one counter conflict when they overlap (an IP under attack): each is
 * refused as a whole and is safe to try again at once. A few quick tries, then the job's
 * own backoff.
 */
const CONFLICT_TRIES = 5;
const CONFLICT_BACKOFF: BackoffPolicy = { baseMs: 20, capMs: 400 };

export interface CountOptions {
  /** The time of the run: TTLs are set from it. */
  readonly now: Date;
  /** Jitter for retries after conflicts; Math.random by default. */
  readonly random?: () => number;
}

/** One job's counting against one table and window. */
export interface Counter {
  readonly dynamodb: DynamoDBClient;
  readonly table: string;
  readonly jobId: string;
  readonly window: CountingWindow;
  readonly options: CountOptions;
}

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
 * The key of the marker that says a job's failure is counted for one subject kind (for a
 * counter whose set is full); without a kind, the marker the previous code wrote for both.
 *
 * @example
 * ```ts
 * markerIdOf('0f3a…', 'ip'); // 'counted#0f3a…#ip'
 * ```
 */
export function markerIdOf(jobId: string, kind?: SubjectKind): string {
  return kind === undefined ? `counted#${jobId}` : `counted#${jobId}#${kind}`;
}

/**
 * The SET every counting write makes (what the counter is, and its TTL), with the names of
 * the count and the set; callers add the ADD, the condition and their values.
 */
export function counterUpdate(counter: Counter, subject: Subject) {
  const now = epochSeconds(counter.options.now);
  const counterTtl = Math.max(counter.window.endSeconds, now) + COUNTER_RETENTION_SECONDS;
  return {
    set: 'SET #kind = :kind, #subject = :subject, #windowStart = :start, #ttl = :ttl',
    names: {
      '#count': 'count',
      '#jobs': JOBS,
      '#kind': 'kind',
      '#subject': 'subject',
      '#windowStart': 'windowStart',
      '#ttl': TTL,
    },
    values: {
      ':kind': str(subject.kind),
      ':subject': str(subject.value),
      ':start': str(counter.window.start),
      ':ttl': num(counterTtl),
    },
  };
}

/** Each DynamoDB client's number: counting through different clients is never merged. */
const clientNumbers = new WeakMap<object, number>();
let clientsSeen = 0;

/**
 * What the counting of jobs in flight together is grouped by: the client, the table and the
 * counter (counter-set.ts, counter-markers.ts).
 */
export function groupKeyOf(counter: Counter, counterId: string): string {
  let client = clientNumbers.get(counter.dynamodb);
  if (client === undefined) {
    clientsSeen += 1;
    client = clientsSeen;
    clientNumbers.set(counter.dynamodb, client);
  }
  return `${client}\u0000${counter.table}\u0000${counterId}`;
}

/**
 * Sends a write on a counter, again after a short jittered pause while DynamoDB refuses it
 * for a conflicting transaction on the same item — by default an update refused for another
 * job's marker transaction; `isConflict` says it for a transaction of one's own.
 */
export async function withConflictRetries<T>(
  send: () => Promise<T>,
  random: (() => number) | undefined,
  isConflict: (error: unknown) => boolean = isTransactionConflict,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (!isConflict(error) || attempt >= CONFLICT_TRIES) throw error;
      await sleep(fullJitterDelay(CONFLICT_BACKOFF, attempt, random));
    }
  }
}

function isTransactionConflict(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'TransactionConflictException';
}
