/**
 * The body of every job message on an SQS job queue: which job, for which event (always
 * the latest schema version of its type), where the event came from, and when it was
 * enqueued. The router writes it; the job runtime reads it.
 */
import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';

const oneShotHash = (
  crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }
).hash;

export const JOB_MESSAGE_KIND = 'sluice.job';

/** Where in Kafka the event that produced a job was read. */
export interface Provenance {
  topic: string;
  partition: number;
  offset: number;
  /** Record timestamp, milliseconds since the epoch. */
  timestamp: number;
  /** The record key as text (base64 when not UTF-8); null for keyless records. */
  key: string | null;
}

export interface JobMessage<TEvent = unknown> {
  kind: typeof JOB_MESSAGE_KIND;
  v: 1;
  /** Deterministic: the same event and job always give the same id, so duplicates are detectable. */
  jobId: string;
  job: string;
  enqueuedAt: string;
  routerVersion: string;
  provenance: Provenance;
  event: TEvent;
}

/**
 * The job id: a hash of the event's source and id and the job name. CloudEvents makes
 * (source, id) unique per distinct event, so a redelivered or replayed event yields the
 * same job id.
 *
 * @example
 * ```ts
 * jobIdOf('urn:sluice:catalog', 'evt-1', 'index-product'); // 32 hex characters
 * ```
 */
export function jobIdOf(source: string, eventId: string, job: string): string {
  const input = `${source}\n${eventId}\n${job}`;
  // crypto.hash (Node ≥ 20.12) is a one-shot digest, about twice as fast as createHash.
  const digest = oneShotHash
    ? oneShotHash('sha256', input, 'hex')
    : createHash('sha256').update(input).digest('hex');
  return digest.slice(0, 32);
}

/**
 * Serialises a job message. The event and provenance are passed already serialised so a
 * fan-out to several jobs stringifies the event once.
 */
export function serializeJobMessage(
  fields: Pick<JobMessage, 'jobId' | 'job' | 'enqueuedAt' | 'routerVersion'>,
  provenanceJson: string,
  eventJson: string,
): string {
  return (
    `{"kind":"${JOB_MESSAGE_KIND}","v":1,"jobId":${JSON.stringify(fields.jobId)}` +
    `,"job":${JSON.stringify(fields.job)},"enqueuedAt":${JSON.stringify(fields.enqueuedAt)}` +
    `,"routerVersion":${JSON.stringify(fields.routerVersion)}` +
    `,"provenance":${provenanceJson},"event":${eventJson}}`
  );
}

/**
 * {@link serializeJobMessage} for many messages of one batch: the fields that are the same
 * for every message of a job (name, enqueue time, router version) are serialised once.
 */
export function jobMessageSerializer(
  enqueuedAt: string,
  routerVersion: string,
): (jobId: string, job: string, provenanceJson: string, eventJson: string) => string {
  const frames = new Map<string, string>();
  return (jobId, job, provenanceJson, eventJson) => {
    let frame = frames.get(job);
    if (frame === undefined) {
      frame =
        `,"job":${JSON.stringify(job)},"enqueuedAt":${JSON.stringify(enqueuedAt)}` +
        `,"routerVersion":${JSON.stringify(routerVersion)},"provenance":`;
      frames.set(job, frame);
    }
    return `{"kind":"${JOB_MESSAGE_KIND}","v":1,"jobId":${JSON.stringify(jobId)}${frame}${provenanceJson},"event":${eventJson}}`;
  };
}
