/**
 * The one body type of every Sluice dead-letter message, written by the router (step
 * `ingest`) and by the job runtime (step `job`). It holds everything needed to see why
 * something failed and to reprocess it with the same code after a fix: the complete raw
 * record (or a pointer to it in S3 when it does not fit in an SQS message), its provenance,
 * the error, and the history of earlier failures.
 */

import type { RecordFailureReason } from '../shared/errors';
import type { JobMessage, Provenance } from './job-message';

export const DEAD_LETTER_KIND = 'sluice.dead-letter';

/** The step of the pipeline whose failure a dead letter holds: routing, or a job. */
export type DeadLetterStep = 'ingest' | 'job';

/** A Kafka record exactly as it arrived, bytes kept as base64 so nothing is re-encoded. */
export interface RawKafkaRecord {
  topic: string;
  partition: number;
  offset: number;
  /** Milliseconds since the epoch. */
  timestamp: number;
  timestampType: string;
  /** Base64 of the key bytes; null when the record had no key. */
  key: string | null;
  /** Base64 of the value bytes; empty string for an empty value. */
  value: string;
  /** Headers in their original order (Kafka allows repeats); values as base64. */
  headers: Array<{ name: string; value: string }>;
}

/** One failure in a record's life. The newest is last. */
export interface FailureEntry {
  at: string;
  errorClass: string;
  message: string;
  reason: RecordFailureReason | string;
  /** JSON Pointer of the failing value when a schema rejected it. */
  path?: string;
  /** Version (git SHA) of the code that failed. */
  codeVersion: string;
}

/** Where a payload too large for SQS was stored instead (claim check). */
export interface ClaimCheck {
  bucket: string;
  key: string;
  bytes: number;
  sha256: string;
}

export interface DeadLetter {
  kind: typeof DEAD_LETTER_KIND;
  /** Body format version, for readers of old messages. */
  v: 1;
  /**
   * Ingest dead letters of Kafka records: deterministic per record and code version, the key
   * of the router's dead-letter ledger (a copy sent twice in a residual window has the same).
   */
  id?: string;
  /**
   * The step that failed. The field (and the message attribute) keeps its first name,
   * `stage`, as letters already in the DLQs and filters on them use it; it is not the
   * deployment stage.
   */
  stage: DeadLetterStep;
  reason: RecordFailureReason | string;
  error: { class: string; message: string; path?: string };
  /** Every failure so far, oldest first, including this one. */
  history: FailureEntry[];
  firstFailedAt: string;
  lastFailedAt: string;
  codeVersion: string;
  /** The event's type and schema version, when they could be read. */
  event?: { id?: string; source?: string; type?: string; version?: number };
  /** Schema versions this code knows, per type: shows version skew at a glance. */
  knownVersions?: Record<string, number[]>;
  /** The complete record; absent only when `claimCheck` points to it. */
  record?: RawKafkaRecord;
  claimCheck?: ClaimCheck;
  /**
   * JOB_REJECTED only, when SQS took some of the record's jobs and refused others: those
   * jobs stay enqueued, and a replay enqueues them again (their job ids make it a duplicate).
   */
  routing?: { enqueued: string[]; rejected: string[] };
  /** Step `job` only: which job failed, how often, where, and the message to redrive. */
  job?: JobDeadLetterDetails;
}

/**
 * The job part of a step-`job` dead letter. Redriving the DLQ into the job's queue runs
 * `message` again: the job runtime unwraps dead letters it finds on its own queue.
 */
export interface JobDeadLetterDetails {
  name: string;
  /** Absent only when the body was not a job message. */
  jobId?: string;
  /** Attempts the job runtime counted, including the last one. */
  attempts: number;
  maxAttempts: number;
  /** ARN of the queue the message was read from. */
  sourceQueue: string;
  messageId: string;
  /** Where in Kafka the job's event was read. */
  provenance?: Provenance;
  /** The original job message, for redrive. */
  message?: JobMessage;
  /** The raw body, when it was not a job message. */
  body?: string;
}

/** True when a parsed SQS body is a Sluice dead letter (of either step). */
export function isDeadLetter(value: unknown): value is DeadLetter {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === DEAD_LETTER_KIND &&
    Array.isArray((value as { history?: unknown }).history)
  );
}
