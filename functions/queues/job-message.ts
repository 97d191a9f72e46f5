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

/**
 * Message attribute carrying a job's attempts from before its message existed: a snoozed job,
 * or a job of a pack (a message sent again restarts at one receive).
 */
export const ATTEMPTS_ATTRIBUTE = 'sluice-attempts';

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
 * It is 32 hex characters: 24 from a SHA-256 of (source, id) — the same for every job of
 * the event, so a fan-out hashes once ({@link jobIdPrefix}) — then 8 from a SHA-256 of the
 * job name, which keeps the jobs of one event apart. Two different events share a job id
 * only if 96 bits of SHA-256 collide. The job names' 8 characters differ (tested over
 * every job of the topology).
 *
 * @example
 * ```ts
 * jobIdOf('urn:sluice:catalog', 'evt-1', 'index-product'); // 32 hex characters
 * ```
 */
export function jobIdOf(source: string, eventId: string, job: string): JobId {
  return jobIdFromPrefix(jobIdPrefix(source, eventId), job);
}

/** The first 24 hex characters of every job id of an event. */
export function jobIdPrefix(source: string, eventId: string): string {
  // The length prefix keeps (source, id) pairs apart even when a source holds the separator.
  const text = `${source.length}:${source}\n${eventId}`;
  // Hashing encodes UTF-8, which turns every lone surrogate (JSON allows "\ud800") into U+FFFD:
  // such text is hashed escaped instead, behind a mark no well-formed text starts with.
  return sha256Hex(isWellFormed(text) ? text : `~${JSON.stringify(text)}`).slice(0, 24);
}

/** String.prototype.isWellFormed (Node ≥ 20; the project's TypeScript lib predates it). */
function isWellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/** The id of `job` for the event whose {@link jobIdPrefix} is `prefix`. */
export function jobIdFromPrefix(prefix: string, job: string): JobId {
  let tag = jobTags.get(job);
  if (tag === undefined) {
    tag = sha256Hex(`job:${job}`).slice(0, 8);
    jobTags.set(job, tag);
  }
  return `${prefix}${tag}` as JobId;
}

/** Job names are few (the topology's); each one's part of the id is hashed once. */
const jobTags = new Map<string, string>();

function sha256Hex(input: string): string {
  // crypto.hash (Node ≥ 20.12) is a one-shot digest, about twice as fast as createHash.
  return oneShotHash
    ? oneShotHash('sha256', input, 'hex')
    : createHash('sha256').update(input).digest('hex');
}

declare const jobIdBrand: unique symbol;

/** A job id as {@link jobIdOf} makes it: hex, so its JSON is itself in quotes. */
export type JobId = string & { readonly [jobIdBrand]: true };

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
 * for every message of a job (name, enqueue time, router version) are serialised once, and
 * so is their size, so a message's UTF-8 size is a sum instead of a pass over its text.
 *
 * @example
 * ```ts
 * const writer = new JobMessageWriter(new Date().toISOString(), 'abc123');
 * const body = writer.body(jobId, 'audit', provenanceJson, eventJson);
 * writer.bytes(jobId, 'audit', Buffer.byteLength(provenanceJson), Buffer.byteLength(eventJson));
 * ```
 */
export class JobMessageWriter {
  private readonly frames = new Map<string, { text: string; bytes: number }>();

  constructor(
    private readonly enqueuedAt: string,
    private readonly routerVersion: string,
  ) {}

  /** The message, as {@link serializeJobMessage} writes it. */
  body(jobId: JobId, job: string, provenanceJson: string, eventJson: string): string {
    return `${HEAD}"${jobId}"${this.frame(job).text}${provenanceJson}${EVENT}${eventJson}}`;
  }

  /**
   * The UTF-8 size of {@link body}, given the sizes of the provenance and event JSON. The
   * parts are JSON texts, which never split a surrogate pair, so their sizes add up.
   */
  bytes(jobId: JobId, job: string, provenanceBytes: number, eventBytes: number): number {
    // Hex: one byte per character, plus the quotes.
    return FIXED_BYTES + jobId.length + 2 + this.frame(job).bytes + provenanceBytes + eventBytes;
  }

  private frame(job: string): { text: string; bytes: number } {
    let frame = this.frames.get(job);
    if (frame === undefined) {
      const text =
        `,"job":${JSON.stringify(job)},"enqueuedAt":${JSON.stringify(this.enqueuedAt)}` +
        `,"routerVersion":${JSON.stringify(this.routerVersion)},"provenance":`;
      frame = { text, bytes: Buffer.byteLength(text) };
      this.frames.set(job, frame);
    }
    return frame;
  }
}

const HEAD = `{"kind":${JSON.stringify(JOB_MESSAGE_KIND)},"v":1,"jobId":`;
const EVENT = ',"event":';
/** The ASCII text around the variable parts: head, `,"event":` and the closing brace. */
const FIXED_BYTES = HEAD.length + EVENT.length + 1;
