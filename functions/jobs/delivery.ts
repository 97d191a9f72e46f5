/**
 * Reads one SQS record of a job queue: the job message (unwrapped from a job dead letter
 * when the DLQ was redriven into the queue), its receive count, and the attempts a snoozed
 * job carries from before its snooze.
 */

import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSRecord } from 'aws-lambda';
import { getClaimCheck } from '../shared/claim-check';
import { type ClaimCheck, type DeadLetter, isDeadLetter } from '../shared/dead-letter';
import { JOB_MESSAGE_KIND, type JobMessage } from './job-message';

/** Message attribute carrying the attempts of a snoozed job (a re-sent message restarts at 1 receive). */
export const ATTEMPTS_ATTRIBUTE = 'sluice-attempts';

export interface Delivery {
  readonly index: number;
  readonly record: SQSRecord;
  readonly messageId: string;
  readonly receiveCount: number;
  /** Attempts counted before this message existed (snooze); 0 otherwise. */
  readonly carriedAttempts: number;
  /** The job message; absent when the body is not one (see `problem`). */
  readonly message?: JobMessage;
  /** The dead letter this message was redriven from, if it was. */
  readonly redrivenFrom?: DeadLetter;
  /** A redriven dead letter stored in S3: read it with {@link resolveClaimCheck} first. */
  readonly claimCheck?: ClaimCheck;
  /** Why the body cannot be run: it is dead-lettered at once. */
  readonly problem?: { reason: 'NOT_A_JOB' | 'WRONG_JOB'; message: string };
}

function isJobMessage(value: unknown): value is JobMessage {
  const v = value as Partial<JobMessage> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.kind === JOB_MESSAGE_KIND &&
    typeof v.jobId === 'string' &&
    typeof v.job === 'string' &&
    typeof v.event === 'object'
  );
}

/**
 * @example
 * ```ts
 * const delivery = readDelivery(event.Records[0], 0, 'audit');
 * if (delivery.problem) deadLetterNow(delivery);
 * ```
 */
export function readDelivery(record: SQSRecord, index: number, job: string): Delivery {
  const base = {
    index,
    record,
    messageId: record.messageId,
    // Never throws, even for a record without attributes: chunks are read as they start.
    receiveCount: Number(record.attributes?.ApproximateReceiveCount) || 1,
    carriedAttempts: Number(record.messageAttributes?.[ATTEMPTS_ATTRIBUTE]?.stringValue) || 0,
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(record.body);
  } catch {
    return { ...base, problem: { reason: 'NOT_A_JOB', message: 'body is not JSON' } };
  }
  let redrivenFrom: DeadLetter | undefined;
  if (isDeadLetter(parsed) && parsed.stage === 'job' && parsed.claimCheck && !parsed.job?.message) {
    return { ...base, redrivenFrom: parsed, claimCheck: parsed.claimCheck };
  }
  if (isDeadLetter(parsed) && parsed.stage === 'job' && parsed.job?.message) {
    redrivenFrom = parsed;
    parsed = parsed.job.message;
  }
  if (!isJobMessage(parsed)) {
    return {
      ...base,
      redrivenFrom,
      problem: { reason: 'NOT_A_JOB', message: 'body is not a job message' },
    };
  }
  if (parsed.job !== job) {
    const message = `message for job "${parsed.job}" on the queue of "${job}"`;
    return { ...base, message: parsed, redrivenFrom, problem: { reason: 'WRONG_JOB', message } };
  }
  return { ...base, message: parsed, redrivenFrom };
}

/**
 * Reads a claim-checked dead letter back from S3 and reads the delivery again from it, as
 * if the whole letter had been the body. Throws (transient or permanent, classified) when
 * S3 cannot give it back; the caller leaves the message for a later delivery.
 */
export async function resolveClaimCheck(
  delivery: Delivery,
  s3: S3Client,
  job: string,
): Promise<Delivery> {
  if (!delivery.claimCheck) return delivery;
  const body = await getClaimCheck(s3, delivery.claimCheck);
  // The record keeps the pointer body: a snooze or a later dead letter re-sends the small
  // pointer, never the whole letter that did not fit in SQS.
  return {
    ...readDelivery({ ...delivery.record, body }, delivery.index, job),
    record: delivery.record,
  };
}

/** The CloudEvent identity of a job message's event, as far as it can be read. */
export function eventIdentity(message: JobMessage | undefined): DeadLetter['event'] {
  const e = (message?.event ?? {}) as Record<string, unknown>;
  const identity: NonNullable<DeadLetter['event']> = {};
  if (typeof e.id === 'string') identity.id = e.id;
  if (typeof e.source === 'string') identity.source = e.source;
  if (typeof e.type === 'string') identity.type = e.type;
  if (typeof e.dataversion === 'number') identity.version = e.dataversion;
  return identity;
}
