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
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { allOrWorst } from '../../shared/throttling';
import {
  type Counter,
  type CountOptions,
  counterIdOf,
  groupKeyOf,
  type Subject,
} from './counter-item';
import { countWithMarker, type SubjectCount } from './counter-markers';
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
  // Keyed as the shared writes are: the same counter id in another table is another counter.
  const known = groupKeyOf(counter, counterId);
  const fast = fullCounters.has(known)
    ? ({ kind: 'full' } as const)
    : await addToCounterSet(counter, subject, counterId);
  if (fast.kind === 'counted') return { count: fast.count, counted: true };
  if (fast.kind === 'known') return { count: fast.count, counted: false };
  if (fast.kind === 'full') remember(known);
  return countWithMarker(counter, subject, counterId, fast.kind === 'legacy');
}

function remember(key: string): void {
  if (fullCounters.size >= FULL_COUNTERS_REMEMBERED) fullCounters.clear();
  fullCounters.add(key);
}
