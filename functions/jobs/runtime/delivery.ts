/**
 * Reads one SQS record of a job queue: the job message (unwrapped from a job dead letter
 * when the DLQ was redriven into the queue), its receive count, and the attempts a snoozed
 * job carries from before its snooze.
 */

import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSRecord } from 'aws-lambda';
import { EventParser } from '../../events/parse-event';
import { getClaimCheck } from '../../queues/claim-check';
import { type ClaimCheck, type DeadLetter, isDeadLetter } from '../../queues/dead-letter';
import { ATTEMPTS_ATTRIBUTE, JOB_MESSAGE_KIND, type JobMessage } from '../../queues/job-message';
import type { RouteKey } from '../../topology/topology';
import type { JobDefinition } from '../job-definition';
import { PackedJobRecord } from './packed-job-record';

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
  readonly problem?: { reason: 'NOT_A_JOB' | 'WRONG_JOB' | 'INVALID_EVENT'; message: string };
}

/**
 * The events' schemas, compiled once per container. Pure: the router reaches this module
 * through the job definitions it routes by, and must neither bundle nor build this parser.
 */
const events = /* @__PURE__ */ new EventParser();

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isInteger = (value: unknown): boolean => Number.isSafeInteger(value);

/**
 * What is wrong with the shape of a job message, or undefined: every field the runtime and
 * the jobs read, with its type (the event's own content is checked against its schema apart).
 */
function jobMessageProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'body is not a JSON object';
  if (value.kind !== JOB_MESSAGE_KIND) return `kind is not "${JOB_MESSAGE_KIND}"`;
  if (value.v !== 1) return 'v is not 1';
  for (const name of ['jobId', 'job', 'enqueuedAt', 'routerVersion'] as const) {
    const field = value[name];
    if (typeof field !== 'string' || field === '' || field.length > 1024) {
      return `${name} is not a string of 1 to 1024 characters`;
    }
  }
  const provenance = value.provenance;
  if (!isObject(provenance)) return 'provenance is not an object';
  if (typeof provenance.topic !== 'string') return 'provenance.topic is not a string';
  if (!isInteger(provenance.partition) || !isInteger(provenance.offset)) {
    return 'provenance.partition and offset are not integers';
  }
  if (typeof provenance.timestamp !== 'number') return 'provenance.timestamp is not a number';
  if (provenance.key !== null && typeof provenance.key !== 'string') {
    return 'provenance.key is neither a string nor null';
  }
  if (!isObject(value.event)) return 'event is not an object';
  return undefined;
}

/** How often SQS has delivered the record's message (1 when the attribute is missing). */
export function receiveCountOf(record: SQSRecord): number {
  return Number(record.attributes?.ApproximateReceiveCount) || 1;
}

/** Attempts the record carries from before its message existed (snooze, a pack sent again). */
export function carriedAttemptsOf(record: SQSRecord): number {
  return Number(record.messageAttributes?.[ATTEMPTS_ATTRIBUTE]?.stringValue) || 0;
}

/** What reading a delivery needs to know of its job: its name and the event types it takes. */
export type JobIdentity = Pick<JobDefinition, 'name' | 'eventTypes'>;

/**
 * @example
 * ```ts
 * const delivery = readDelivery(event.Records[0], 0, JOBS.audit);
 * if (delivery.problem) deadLetterNow(delivery);
 * ```
 */
export function readDelivery(record: SQSRecord, index: number, job: JobIdentity): Delivery {
  const base = {
    index,
    record,
    messageId: record.messageId,
    // Never throws, even for a record without attributes: chunks are read as they start.
    receiveCount: receiveCountOf(record),
    carriedAttempts: carriedAttemptsOf(record),
  };
  // A packed job's message was parsed with its pack.
  let parsed: unknown = record instanceof PackedJobRecord ? record.message : undefined;
  if (parsed === undefined) {
    try {
      parsed = JSON.parse(record.body);
    } catch {
      return { ...base, problem: { reason: 'NOT_A_JOB', message: 'body is not JSON' } };
    }
  }
  let redrivenFrom: DeadLetter | undefined;
  if (isDeadLetter(parsed) && parsed.stage === 'job' && parsed.claimCheck && !parsed.job?.message) {
    return { ...base, redrivenFrom: parsed, claimCheck: parsed.claimCheck };
  }
  if (isDeadLetter(parsed) && parsed.stage === 'job' && parsed.job?.message) {
    redrivenFrom = parsed;
    parsed = parsed.job.message;
  }
  const shape = jobMessageProblem(parsed);
  if (shape !== undefined) {
    return {
      ...base,
      redrivenFrom,
      problem: { reason: 'NOT_A_JOB', message: `not a job message: ${shape}` },
    };
  }
  const message = parsed as JobMessage;
  if (message.job !== job.name) {
    const text = `message for job "${message.job}" on the queue of "${job.name}"`;
    return { ...base, message, redrivenFrom, problem: { reason: 'WRONG_JOB', message: text } };
  }
  // The job's declared event types are the routes: another type is not this job's to run.
  const type = (message.event as { type?: unknown }).type;
  if (!job.eventTypes.includes('*') && !job.eventTypes.includes(type as RouteKey)) {
    const text = `a ${String(type)} event for job "${job.name}", which takes ${job.eventTypes.join(', ')}`;
    return { ...base, message, redrivenFrom, problem: { reason: 'WRONG_JOB', message: text } };
  }
  // A malformed event fails the same way on every attempt: it is dead-lettered, not retried.
  const invalid = events.checkLatest(message.event);
  if (invalid) {
    const text = `the event does not match its schema at ${invalid.path || '/'}: ${invalid.message}`;
    return { ...base, message, redrivenFrom, problem: { reason: 'INVALID_EVENT', message: text } };
  }
  return { ...base, message, redrivenFrom };
}

/**
 * Reads a claim-checked dead letter back from S3 and reads the delivery again from it, as
 * if the whole letter had been the body. Throws (transient or permanent, classified) when
 * S3 cannot give it back; the caller leaves the message for a later delivery.
 */
export async function resolveClaimCheck(
  delivery: Delivery,
  s3: S3Client,
  job: JobIdentity,
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
