/**
 * What a job is, as plain data: its name, the event types it consumes and the settings the
 * CDK stacks, the local runtime and the job runtime read. No clients here — CDK imports it.
 */

import { JOB_PACK_MAX_JOBS } from '../queues/job-pack';
import type { IndexKey, JobName, RouteKey, TableKey } from '../topology/topology';

/** SQS's ceiling for a message's visibility timeout: 12 hours. */
export const SQS_MAX_VISIBILITY_SECONDS = 43_200;
/**
 * The longest delay a retry may ask for. SQS counts the 12 hours from when the message was
 * received, not from the ChangeMessageVisibility call, and refuses an entry asking for more
 * than is left (the delivery then returns at the queue's default, a fast retry). By the call
 * the longest batching window (5 min) and the longest invocation (15 min) may have passed.
 */
export const MAX_RETRY_DELAY_SECONDS = SQS_MAX_VISIBILITY_SECONDS - 5 * 60 - 15 * 60;
/** SQS's ceiling for DelaySeconds (used by snooze): 15 minutes. */
export const SQS_MAX_DELAY_SECONDS = 900;
/** Half of SQS's default 4-day retention: all retries of a job must fit well inside it. */
const MAX_TOTAL_BACKOFF_SECONDS = 172_800;
/** Lambda's ceiling for a function timeout. */
const LAMBDA_MAX_TIMEOUT_SECONDS = 900;

/** Exponential backoff with jitter between attempts, in seconds (retry-schedule.ts). */
export interface JobBackoff {
  /** Upper bound of the delay before the first retry. */
  readonly baseSeconds: number;
  /** No delay exceeds this; must stay below SQS's 12-hour visibility cap. */
  readonly capSeconds: number;
  /**
   * `equal` (the default): each delay is drawn from the upper half below its ceiling, so a
   * job's attempts span at least half the exponential schedule — they outlast a target that
   * is restarting. `full`: drawn from zero to the ceiling (AWS's advice for clients contending
   * for one resource), spreading retries more but with no least span.
   */
  readonly jitter?: 'equal' | 'full';
}

export interface JobSettings {
  /** Lambda function timeout. */
  readonly timeoutSeconds: number;
  /** SQS event source mapping batch size (1–10, up to 10,000 with a batching window). */
  readonly batchSize: number;
  /**
   * Batch jobs only: the most jobs handed to one `performBatch` call (one bulk request, say)
   * — the AIMD limiter's ceiling. Default `batchSize`. Smaller than `batchSize`, a delivered
   * batch runs as several chunks, one at a time, and a job with a `load` phase reads the next
   * chunk's data while the current chunk writes.
   */
  readonly chunkSize?: number;
  /**
   * Jobs the router packs into one SQS message (functions/queues/job-pack.ts), up to 64 KB:
   * SQS bills each request per 64 KB, so a pack of n small jobs is sent, received and
   * deleted for the price of one. Default 1 (a message per job). Only for batch jobs that
   * are naturally idempotent: a pack delivered again runs again what it holds. `batchSize`
   * still counts messages; `chunkSize` counts jobs.
   */
  readonly jobsPerMessage?: number;
  /** SQS event source mapping batching window (0–300). */
  readonly maxBatchingWindowSeconds: number;
  /** SQS event source mapping maximum concurrency (2–1000). */
  readonly maxConcurrency: number;
  /** Attempts the runtime allows before it dead-letters the job itself. */
  readonly maxAttempts: number;
  readonly backoff: JobBackoff;
  /**
   * `natural`: running the job twice has the same effect as once (no store, no extra
   * writes); `store`: a DynamoDB claim suppresses duplicates.
   */
  readonly idempotency: 'natural' | 'store';
  /** Whether successful runs leave a job record (failures always do). */
  readonly successRecords: 'off' | 'sampled' | 'on';
  /** Fraction of successes recorded when `successRecords` is `sampled`, in (0, 1]. */
  readonly sampleRate?: number;
  /**
   * The queue's RedrivePolicy maxReceiveCount: SQS's own safety net, above `maxAttempts`
   * and at least 5 so Lambda throttling alone cannot dead-letter a message.
   */
  readonly maxReceiveCount: number;
}

/** How a job uses a table: the CDK stacks grant exactly this, nothing more. */
export type TableAccess = 'read' | 'write' | 'readWrite';

/**
 * The targets a job touches beyond the runtime's own tables (idempotency, job records),
 * which every job gets. One source of truth for IAM grants, environment and local wiring.
 */
export interface JobAccess {
  readonly tables?: Readonly<Partial<Record<TableKey, TableAccess>>>;
  /** OpenSearch indexes (aliases) the job writes. */
  readonly indexes?: readonly IndexKey[];
}

/** A job's definition; `N` is its name (every job's name once the job is registered). */
export interface JobDefinition<N extends string = JobName> {
  readonly name: N;
  readonly description: string;
  /**
   * The event types this job takes (`*`: every valid event) — the one declaration of the
   * routes: the router's routing table is derived from it (ROUTES in workers/jobs.ts), and
   * the runtime dead-letters a job of any other type as WRONG_JOB before it runs.
   */
  readonly eventTypes: readonly RouteKey[];
  /** Whether the handler receives the whole batch (bulk targets such as OpenSearch). */
  readonly batch: boolean;
  readonly access: JobAccess;
  readonly settings: JobSettings;
}

/** Thrown by {@link jobDefinition} for inconsistent settings; lists every problem at once. */
export class InvalidJobDefinitionError extends Error {
  constructor(
    readonly job: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid job definition "${job}": ${problems.join('; ')}`);
    this.name = 'InvalidJobDefinitionError';
  }
}

function checkInteger(problems: string[], name: string, value: number, min: number, max: number) {
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

/** Every problem with `settings`, empty when they are consistent. */
export function settingsProblems(settings: JobSettings): string[] {
  const p: string[] = [];
  const s = settings;
  checkInteger(p, 'timeoutSeconds', s.timeoutSeconds, 1, LAMBDA_MAX_TIMEOUT_SECONDS);
  checkInteger(p, 'maxBatchingWindowSeconds', s.maxBatchingWindowSeconds, 0, 300);
  // SQS ESM: more than 10 records per batch only with a batching window.
  const maxBatch = s.maxBatchingWindowSeconds > 0 ? 10_000 : 10;
  checkInteger(p, 'batchSize', s.batchSize, 1, maxBatch);
  const perMessage = s.jobsPerMessage ?? 1;
  checkInteger(p, 'jobsPerMessage', perMessage, 1, JOB_PACK_MAX_JOBS);
  // A delivered batch holds up to batchSize messages of up to jobsPerMessage jobs each.
  if (s.chunkSize !== undefined) {
    checkInteger(p, 'chunkSize', s.chunkSize, 1, s.batchSize * perMessage);
  }
  checkInteger(p, 'maxConcurrency', s.maxConcurrency, 2, 1000);
  checkInteger(p, 'maxAttempts', s.maxAttempts, 1, 100);
  checkInteger(p, 'backoff.baseSeconds', s.backoff.baseSeconds, 1, SQS_MAX_VISIBILITY_SECONDS - 1);
  checkInteger(p, 'backoff.capSeconds', s.backoff.capSeconds, 1, SQS_MAX_VISIBILITY_SECONDS - 1);
  if (s.backoff.capSeconds < s.backoff.baseSeconds) {
    p.push('backoff.capSeconds must be ≥ backoff.baseSeconds');
  }
  // Every retry must happen well inside the queue's retention (4 days by default).
  if (s.maxAttempts * s.backoff.capSeconds > MAX_TOTAL_BACKOFF_SECONDS) {
    p.push(
      `maxAttempts × backoff.capSeconds (${s.maxAttempts * s.backoff.capSeconds} s) must stay within 2 days, well inside queue retention`,
    );
  }
  checkInteger(p, 'maxReceiveCount', s.maxReceiveCount, 5, 1000);
  if (s.maxReceiveCount <= s.maxAttempts) {
    p.push(
      `maxReceiveCount (${s.maxReceiveCount}) must exceed maxAttempts (${s.maxAttempts}): it is only a safety net`,
    );
  }
  if (s.successRecords === 'sampled') {
    const rate = s.sampleRate;
    if (rate === undefined || !(rate > 0 && rate <= 1)) {
      p.push('successRecords "sampled" needs a sampleRate in (0, 1]');
    }
  } else if (s.sampleRate !== undefined) {
    p.push('sampleRate is only meaningful with successRecords "sampled"');
  }
  return p;
}

/**
 * Declares a job, checking its settings. Throws {@link InvalidJobDefinitionError} naming
 * every inconsistency, so a bad definition fails at synth and in unit tests, not in
 * production.
 *
 * @example
 * ```ts
 * export const auditJob = jobDefinition({
 *   name: 'audit',
 *   description: 'Writes every valid event to the audit index',
 *   eventTypes: ['*'],
 *   batch: false,
 *   access: { indexes: ['audit'] },
 *   settings: { ...DEFAULT_JOB_SETTINGS, idempotency: 'natural' },
 * });
 * ```
 */
export function jobDefinition<const N extends string>(
  definition: JobDefinition<N>,
): JobDefinition<N> {
  const problems = settingsProblems(definition.settings);
  if (definition.eventTypes.length === 0) problems.push('eventTypes must not be empty');
  if (!definition.batch && definition.settings.chunkSize !== undefined) {
    problems.push('chunkSize is only meaningful for a batch job');
  }
  const natural = definition.batch && definition.settings.idempotency === 'natural';
  if ((definition.settings.jobsPerMessage ?? 1) > 1 && !natural) {
    problems.push('jobsPerMessage is only for a batch job with natural idempotency');
  }
  if (problems.length > 0) throw new InvalidJobDefinitionError(definition.name, problems);
  return Object.freeze({
    ...definition,
    access: Object.freeze({ ...definition.access }),
    settings: Object.freeze({ ...definition.settings }),
  });
}

/**
 * Defaults a job starts from: one-minute timeout, batches of 10, 8 attempts with backoff
 * from 10 s up to 15 min (8 attempts span about an hour at the cap), store idempotency.
 */
export const DEFAULT_JOB_SETTINGS: JobSettings = {
  timeoutSeconds: 60,
  batchSize: 10,
  maxBatchingWindowSeconds: 0,
  maxConcurrency: 10,
  maxAttempts: 8,
  backoff: { baseSeconds: 10, capSeconds: 900 },
  idempotency: 'store',
  successRecords: 'off',
  maxReceiveCount: 10,
};
