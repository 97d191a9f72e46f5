/**
 * Types shared by the runtime's phases: prepare (read attempts, claim), perform, settle.
 */
import type { FailureEntry } from '../../queues/dead-letter';
import type { JobMessage } from '../../queues/job-message';
import type { Log } from '../../shared/telemetry';
import type { ClaimResult } from '../stores/idempotency-store';
import type { JobRecord } from '../stores/job-records';
import type { Delivery } from './delivery';
import type { JobDeps } from './job-deps';
import type { JobMetrics } from './job-metrics';

/** What the job's code receives. */
export interface JobContext<TEvent = unknown> {
  readonly jobId: string;
  readonly event: TEvent;
  readonly message: JobMessage<TEvent>;
  /** 1-based attempt number, counted by the runtime. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** Logs keyed by job id and event id (`correlation_id`). */
  readonly log: Log;
}

/** How one delivery ended for SQS. */
export type Settlement =
  /** Deleted by Lambda: done, duplicate, discarded, snoozed or dead-lettered. */
  | { readonly kind: 'ack' }
  /**
   * Returned in batchItemFailures, visible again after `delaySeconds`. `attempts`: the
   * attempts counted so far, when this run counted one (read when a pack's unfinished jobs
   * are sent again, job-packs.ts).
   */
  | { readonly kind: 'retry'; readonly delaySeconds: number; readonly attempts?: number }
  /** Returned in batchItemFailures at the queue's visibility timeout (a write failed). */
  | { readonly kind: 'unsettled' };

/** A delivery ready to run: attempts known, claim held. */
export interface Ready {
  readonly kind: 'ready';
  readonly delivery: Delivery;
  readonly message: JobMessage;
  readonly attempt: number;
  /** Failures so far, oldest first. */
  readonly history: readonly FailureEntry[];
  readonly firstFailedAt?: string;
  readonly claim?: Extract<ClaimResult, { status: 'claimed' }>;
  /** A record exists for this job (a redelivery), so every outcome is written. */
  readonly tracked: boolean;
  readonly recordSuccess: boolean;
  readonly context: JobContext;
}

export type Prepared = Ready | { readonly kind: 'settled'; readonly settlement: Settlement };

/** The state of one batch, shared by its jobs. */
export interface BatchRun {
  readonly deps: JobDeps;
  readonly metrics: JobMetrics;
  /** Set when a job met throttling: the rest of the batch is not attempted. */
  throttled: boolean;
  /** The largest Retry-After a throttling target gave in this batch. */
  retryAfterSeconds: number;
  /** The longest unit (a job, or a chunk) so far, for the deadline guard. */
  longestUnitMs: number;
}

/** What a job record is built from. */
export type RecordSource = Pick<
  Ready,
  'delivery' | 'message' | 'attempt' | 'history' | 'firstFailedAt'
>;

/** The base of a job record for a delivery. */
export function recordBase(
  source: RecordSource,
  deps: JobDeps,
  now: Date,
): Omit<JobRecord, 'state'> {
  const event = source.message.event as { id?: unknown; type?: unknown };
  return {
    jobId: source.message.jobId,
    job: deps.definition.name,
    attempts: source.attempt,
    maxAttempts: deps.definition.settings.maxAttempts,
    messageId: source.delivery.messageId,
    eventId: typeof event.id === 'string' ? event.id : undefined,
    eventType: typeof event.type === 'string' ? event.type : undefined,
    history: [...source.history],
    firstFailedAt: source.firstFailedAt,
    updatedAt: now.toISOString(),
  };
}

/**
 * A Log that adds `keys` to every entry. A class, not four closures: the runtime builds
 * one per job, and methods on the prototype cost nothing per instance.
 */
class KeyedLog implements Log {
  constructor(
    private readonly log: Log,
    private readonly keys: Record<string, unknown>,
  ) {}

  debug(message: string, ...extra: Record<string, unknown>[]): void {
    this.log.debug(message, this.keys, ...extra);
  }

  info(message: string, ...extra: Record<string, unknown>[]): void {
    this.log.info(message, this.keys, ...extra);
  }

  warn(message: string, ...extra: Record<string, unknown>[]): void {
    this.log.warn(message, this.keys, ...extra);
  }

  error(message: string, ...extra: Record<string, unknown>[]): void {
    this.log.error(message, this.keys, ...extra);
  }
}

/** A Log that adds `keys` to every entry. */
export function withKeys(log: Log, keys: Record<string, unknown>): Log {
  return new KeyedLog(log, keys);
}
