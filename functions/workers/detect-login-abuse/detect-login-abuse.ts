/**
 * detect-login-abuse's work for one failed login: count it for its account and its IP
 * address in the event's fixed window, and when a count reaches its threshold make sure
 * the window has exactly one suspicion record and one document in the security index.
 *
 * The job is idempotent by itself, with no idempotency store: its failure is counted once
 * whatever runs it again — a duplicate delivery, a retry after the security index refused a
 * write, a redrive of its dead letter (see counters.ts: each counter remembers the jobs it
 * counted, one conditional update per subject, shared by the jobs in flight that count the
 * same counter). The suspicion side is idempotent too: the threshold
 * test is "at or above", the record is put-if-absent and the document create-only, so a
 * run that finds the record not yet indexed finishes the job with the same document.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Client } from '@opensearch-project/opensearch';
import type { CloudEvent } from '../../events/envelope';
import type { LoginFailed } from '../../events/schemas/identity';
import type { JobCode } from '../../jobs';
import { allOrWorst } from '../../shared/throttling';
import type { AbuseConfig } from './config';
import { countFailureOnce, type Subject, type SubjectKind } from './counters';
import { indexSuspicion } from './security-index';
import {
  markIndexed,
  readSuspicion,
  recordSuspicion,
  type StoredSuspicion,
  type Suspicion,
  suspicionIdOf,
} from './suspicions';
import { type CountingWindow, windowOf } from './windows';

export type LoginFailedEvent = CloudEvent<'LOGIN_FAILED', LoginFailed>;

export interface DetectLoginAbuseDeps {
  readonly dynamodb: DynamoDBClient;
  readonly search: Client;
  readonly config: AbuseConfig;
  readonly now: () => Date;
  /** Jitter for retries of conflicting counter updates; Math.random by default. */
  readonly random?: () => number;
}

/** What one failed login did. */
export interface AbuseOutcome {
  readonly window: CountingWindow;
  /** False when an earlier run of the same job had counted this failure already. */
  readonly counted: boolean;
  /** The window's count per subject after this failure. */
  readonly counts: Readonly<Record<SubjectKind, number>>;
  /** Suspicions this run wrote (the first run to cross a threshold). */
  readonly flagged: readonly Suspicion[];
}

/** The subjects a failed login is counted for. */
export function subjectsOf(data: LoginFailed): Subject[] {
  return [
    { kind: 'account', value: data.accountId },
    // Hex digits of IPv6 addresses may come in either case.
    { kind: 'ip', value: data.ip.toLowerCase() },
  ];
}

function thresholdFor(config: AbuseConfig, kind: SubjectKind): number {
  return kind === 'account' ? config.accountThreshold : config.ipThreshold;
}

/** This run's suspicion for `subject`: used only if the window has none yet. */
function candidate(
  event: LoginFailedEvent,
  subject: Subject,
  window: CountingWindow,
  threshold: number,
  count: number,
  now: Date,
): Suspicion {
  const { accountId, email, ip, userAgent, reason } = event.data;
  return {
    suspicionId: suspicionIdOf(subject, window),
    kind: subject.kind,
    subject: subject.value,
    windowStart: window.start,
    windowEnd: window.end,
    threshold,
    failures: count,
    detectedAt: event.time,
    flaggedAt: now.toISOString(),
    eventId: event.id,
    accountId,
    email,
    ip,
    userAgent,
    ...(reason === undefined ? {} : { reason }),
  };
}

/** Makes sure the window's suspicion for `subject` is recorded and indexed, once. */
async function ensureFlagged(
  deps: DetectLoginAbuseDeps,
  event: LoginFailedEvent,
  subject: Subject,
  window: CountingWindow,
  count: number,
): Promise<StoredSuspicion> {
  const { dynamodb, config } = deps;
  const threshold = thresholdFor(config, subject.kind);
  const suspicionId = suspicionIdOf(subject, window);
  // Above the threshold a record almost surely exists: a read is cheaper than a failed put.
  const known =
    count > threshold ? await readSuspicion(dynamodb, config.table, suspicionId) : undefined;
  if (known?.indexed) return known;
  const stored =
    known ??
    (await recordSuspicion(
      dynamodb,
      config.table,
      candidate(event, subject, window, threshold, count, deps.now()),
      window,
    ));
  if (stored.indexed) return stored;
  // The stored record, not this run's candidate: every run indexes the same document.
  await indexSuspicion(deps.search, config.securityIndex, stored.suspicion);
  await markIndexed(dynamodb, config.table, suspicionId, deps.now());
  return { ...stored, indexed: true };
}

/**
 * Counts one failed login — once per job, whatever runs it again — and flags its account and
 * IP address when they are at or above their thresholds.
 *
 * @param jobId the job's id: the marker that makes counting happen once
 * @throws ThrottledError / TransientError (retried), PermanentError (dead-lettered).
 * @example
 * ```ts
 * const { counted, counts, flagged } = await detectLoginAbuse(deps, event, jobId);
 * ```
 */
export async function detectLoginAbuse(
  deps: DetectLoginAbuseDeps,
  event: LoginFailedEvent,
  jobId: string,
): Promise<AbuseOutcome> {
  const window = windowOf(event.time, deps.config.windowSeconds);
  const subjects = subjectsOf(event.data);
  const { counts, counted } = await countFailureOnce(
    deps.dynamodb,
    deps.config.table,
    jobId,
    subjects,
    window,
    { now: deps.now(), random: deps.random },
  );
  const crossing = subjects
    .map((subject, i) => ({ subject, count: counts[i] as number }))
    .filter(({ subject, count }) => count >= thresholdFor(deps.config, subject.kind));
  const stored = await allOrWorst(
    crossing.map(({ subject, count }) => ensureFlagged(deps, event, subject, window, count)),
  );
  return {
    window,
    counted,
    counts: { account: counts[0] as number, ip: counts[1] as number },
    flagged: stored.filter((s) => s.created).map((s) => s.suspicion),
  };
}

/**
 * The job's code for `defineJob`.
 *
 * @example
 * ```ts
 * export const handler = defineJob(detectLoginAbuseJob, detectLoginAbuseCode(deps));
 * ```
 */
export function detectLoginAbuseCode(deps: DetectLoginAbuseDeps): JobCode<LoginFailedEvent> {
  return {
    perform: async ({ event, jobId, log }) => {
      const outcome = await detectLoginAbuse(deps, event, jobId);
      for (const suspicion of outcome.flagged) {
        log.warn('Login abuse suspected', {
          suspicionId: suspicion.suspicionId,
          kind: suspicion.kind,
          subject: suspicion.subject,
          windowStart: suspicion.windowStart,
          failures: suspicion.failures,
        });
      }
    },
  };
}
