/**
 * The dead letter the runtime writes to a job's DLQ: the shared DeadLetter (step `job`)
 * with why, how often, where from, the failure history and the original job message, so a
 * redrive into the job's queue runs it again.
 */
import {
  DEAD_LETTER_KIND,
  type DeadLetter,
  type FailureEntry,
  isDeadLetter,
} from '../../queues/dead-letter';
import type { JobMessage } from '../../queues/job-message';
import { MAX_HISTORY } from '../stores/job-records';
import { type Delivery, eventIdentity } from './delivery';

export interface JobDeadLetterInput {
  readonly job: string;
  readonly delivery: Delivery;
  readonly reason: string;
  readonly error: { class: string; message: string };
  readonly attempts: number;
  readonly maxAttempts: number;
  /** Failures before this one (from the job record or the redriven dead letter). */
  readonly history: readonly FailureEntry[];
  readonly codeVersion: string;
  readonly at: Date;
}

/**
 * Pure: no I/O.
 *
 * @example
 * ```ts
 * const letter = jobDeadLetter({ job: 'audit', delivery, reason: 'JOB_FAILED', error, attempts: 1,
 *   maxAttempts: 8, history: [], codeVersion: 'abc123', at: new Date() });
 * ```
 */
export function jobDeadLetter(input: JobDeadLetterInput): DeadLetter {
  const at = input.at.toISOString();
  const { delivery } = input;
  const entry: FailureEntry = {
    at,
    errorClass: input.error.class,
    message: input.error.message,
    reason: input.reason,
    codeVersion: input.codeVersion,
  };
  const history = [...input.history, entry].slice(-MAX_HISTORY);
  const message = deliveredMessage(delivery);
  return {
    kind: DEAD_LETTER_KIND,
    v: 1,
    stage: 'job',
    reason: input.reason,
    error: input.error,
    history,
    firstFailedAt: history[0]?.at ?? at,
    lastFailedAt: at,
    codeVersion: input.codeVersion,
    event: eventIdentity(message),
    job: {
      name: input.job,
      ...(message ? { jobId: message.jobId, provenance: message.provenance, message } : {}),
      ...(message ? {} : { body: delivery.record.body }),
      attempts: input.attempts,
      maxAttempts: input.maxAttempts,
      sourceQueue: delivery.record.eventSourceARN,
      messageId: delivery.messageId,
    },
  };
}

/**
 * The job message as it was delivered, read again from the record's body — not the object
 * the job was given, which it may have changed: a redrive must run what was delivered. The
 * message of a claim-checked letter (read from S3, the record holding only the pointer), or
 * of a body that no longer reads as the same job, is taken as the runtime holds it.
 */
function deliveredMessage(delivery: Delivery): JobMessage | undefined {
  const held = delivery.message;
  if (!held) return undefined;
  try {
    const parsed: unknown = JSON.parse(delivery.record.body);
    const message = isDeadLetter(parsed) ? parsed.job?.message : parsed;
    return (message as Partial<JobMessage> | undefined)?.jobId === held.jobId
      ? (message as JobMessage)
      : held;
  } catch {
    return held;
  }
}

/** Message attributes for filtering a job DLQ (SQS allows 10). */
export function jobDeadLetterAttributes(letter: DeadLetter): Record<string, string> {
  const attributes: Record<string, string> = {
    stage: letter.stage,
    reason: String(letter.reason),
    codeVersion: letter.codeVersion,
  };
  if (letter.job) attributes.job = letter.job.name;
  const type = letter.event?.type;
  if (type !== undefined && /^[A-Z][A-Z0-9_]{0,63}$/.test(type)) attributes.eventType = type;
  return attributes;
}
