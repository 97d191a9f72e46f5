/**
 * One message read from a dead-letter queue, understood: its dead letter (when it is one),
 * fingerprint, and identity — what stays the same when the message fails again and comes
 * back as a new message (job id, or the Kafka record's topic/partition/offset).
 */
import { createHash } from 'node:crypto';
import type { Message } from '@aws-sdk/client-sqs';
import { type DeadLetter, isDeadLetter } from '../../functions/queues/dead-letter';
import { readJobPack } from '../../functions/queues/job-pack';
import { bareFingerprint, type Fingerprint, fingerprintOf } from './fingerprint';

export interface DlqEntry {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  /** When SQS accepted the message, ms since the epoch (0 when unknown). */
  readonly sentTimestamp: number;
  readonly letter?: DeadLetter;
  readonly fingerprint: Fingerprint;
  /** Stable across a failed redrive; see {@link identityOf}. */
  readonly identity: string;
  /** The job id, for job-step letters and bare job messages. */
  readonly jobId?: string;
  /** The raw SQS message, for re-sending it unchanged. */
  readonly message: Message;
}

/**
 * @example
 * ```ts
 * const entry = dlqEntry(message);
 * entry.fingerprint.id; // e.g. '3f2a9c1b0d'
 * ```
 */
export function dlqEntry(message: Message): DlqEntry {
  const body = message.Body ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const base = {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body,
    sentTimestamp: Number(message.Attributes?.SentTimestamp ?? 0),
    message,
  };
  if (isDeadLetter(parsed)) {
    const jobId = parsed.job?.jobId;
    return {
      ...base,
      letter: parsed,
      fingerprint: fingerprintOf(parsed),
      identity: identityOf(parsed, body),
      ...(jobId ? { jobId } : {}),
    };
  }
  const jobId = bareJobId(parsed);
  // A pack of jobs (job-pack.ts) SQS moved whole: redriven, its jobs run again.
  const pack = jobId === undefined && readJobPack(body) !== undefined;
  return {
    ...base,
    fingerprint: bareFingerprint(jobId ? 'job-message' : pack ? 'job-pack' : 'unreadable'),
    identity: jobId ? `job:${jobId}` : `body:${digest(body)}`,
    ...(jobId ? { jobId } : {}),
  };
}

/**
 * What a dead letter is about, independent of the SQS message carrying it: the job id for
 * job letters; the record's topic/partition/offset for ingest letters (read from the claim
 * check's key when the record is in S3); else the event, else the body.
 */
export function identityOf(letter: DeadLetter, body: string): string {
  if (letter.stage === 'job') {
    const jobId = letter.job?.jobId;
    return jobId ? `job:${jobId}` : `body:${digest(letter.job?.body ?? body)}`;
  }
  const record = letter.record;
  if (record) return `record:${record.topic}/${record.partition}/${record.offset}`;
  // Ingest claim-check keys are `ingest/<topic>/<partition>/<offset>-<digest>.json`.
  const key = /^ingest\/(.+)\/(\d+)\/(\d+)-[0-9a-f]+\.json$/.exec(letter.claimCheck?.key ?? '');
  if (key) return `record:${decodeURIComponent(key[1] ?? '')}/${key[2]}/${key[3]}`;
  const event = letter.event;
  if (event?.id !== undefined) return `event:${event.source ?? ''}/${event.id}`;
  return `body:${digest(body)}`;
}

/** A short, readable pointer to what failed: the job id or the Kafka coordinates. */
export function subjectOf(entry: DlqEntry): string {
  const [kind, ...rest] = entry.identity.split(':');
  const value = rest.join(':');
  if (kind === 'job') return `job ${value}`;
  if (kind === 'record') return value;
  if (kind === 'event') return `event ${value}`;
  return `message ${entry.messageId}`;
}

function bareJobId(parsed: unknown): string | undefined {
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const candidate = parsed as { kind?: unknown; jobId?: unknown };
  return candidate.kind === 'sluice.job' && typeof candidate.jobId === 'string'
    ? candidate.jobId
    : undefined;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
