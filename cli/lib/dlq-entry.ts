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
  /**
   * The ids of the jobs in a pack — moved whole by SQS, or dead-lettered whole as not a job:
   * redriven, each job that fails again comes back as a letter of its own (`job:<id>`).
   */
  readonly packedJobIds?: readonly string[];
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
    const packBody = parsed.job && !parsed.job.message ? parsed.job.body : undefined;
    const packed = typeof packBody === 'string' ? packedJobIdsOf(packBody) : undefined;
    return {
      ...base,
      letter: parsed,
      fingerprint: fingerprintOf(parsed),
      identity: identityOf(parsed, body),
      ...(jobId ? { jobId } : {}),
      ...(packed ? { packedJobIds: packed } : {}),
    };
  }
  const jobId = bareJobId(parsed);
  // A pack of jobs (job-pack.ts) SQS moved whole: redriven, its jobs run again.
  const packed = jobId === undefined ? packedJobIdsOf(body) : undefined;
  return {
    ...base,
    fingerprint: bareFingerprint(jobId ? 'job-message' : packed ? 'job-pack' : 'unreadable'),
    identity: jobId ? `job:${jobId}` : `body:${digest(body)}`,
    ...(jobId ? { jobId } : {}),
    ...(packed ? { packedJobIds: packed } : {}),
  };
}

/** The job ids of a pack body (those its jobs carry), or undefined when it is no pack. */
function packedJobIdsOf(body: string): string[] | undefined {
  const pack = readJobPack(body);
  if (pack === undefined) return undefined;
  return pack.jobs.flatMap((job) => {
    const jobId = (job as { jobId?: unknown } | null)?.jobId;
    return typeof jobId === 'string' && jobId !== '' ? [jobId] : [];
  });
}

/**
 * Every identity a moved message's failures come back under: its own, and for a pack each of
 * its jobs' (`job:<id>`), since a job of a pack that fails again is dead-lettered alone.
 */
export function identitiesOf(entry: {
  readonly identity: string;
  readonly packedJobIds?: readonly string[];
}): string[] {
  return [entry.identity, ...(entry.packedJobIds ?? []).map((id) => `job:${id}`)];
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
