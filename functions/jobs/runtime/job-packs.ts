/**
 * Job packs in the runtime (functions/queues/job-pack.ts): a delivered pack becomes one
 * record per job when the runtime reaches it, so each job is read, run, retried and dead-lettered
 * as the job of a message of its own would be; when the batch ends, its jobs' settlements
 * are folded back into one per delivered message:
 *
 * - every job acknowledged → the pack is acknowledged;
 * - none acknowledged → the pack comes back whole after the longest of its jobs' backoffs
 *   (attempts continue from the jobs' records, which name the pack's message id, and a
 *   dead-lettered job's `dead` record keeps it from running twice);
 * - some acknowledged → the others are sent again as a new pack, delayed by the longest of
 *   their backoffs and carrying each job's attempts, and the pack is acknowledged — so a
 *   job that succeeded does not run again. The pack comes back whole instead when that send
 *   fails, when the delay is beyond what SQS can delay a message (15 minutes), when one of
 *   the others is left unsettled (a write failed), or when the pack was delivered before and
 *   one of the others was not attempted this time (its attempts are in its record, under
 *   the pack's message id): its jobs are naturally idempotent (a pack is only made for such
 *   jobs), so running one again is harmless.
 *
 * A job of a pack that snoozes stays with its pack (settle-job.ts): sent on its own, it could
 * run beside its own copy if the pack came back whole.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import {
  DEAD_LETTER_KIND,
  type DeadLetter,
  type FailureEntry,
  isDeadLetter,
} from '../../queues/dead-letter';
import type { JobMessage } from '../../queues/job-message';
import { JOB_PACK_KIND, jobPackBody, readJobPack, type UnpackedJobs } from '../../queues/job-pack';
import { startsWithKind } from '../../queues/message-kind';
import { sqsSafeJson } from '../../queues/sqs-batch-sender';
import { describeError } from '../../shared/errors';
import type { Log } from '../../shared/telemetry';
import { MAX_HISTORY } from '../stores/job-records';
import { carriedAttemptsOf, receiveCountOf } from './delivery';
import type { JobDeps } from './job-deps';
import { PackedJobRecord } from './packed-job-record';
import type { Settlement } from './run-types';

/** SQS's longest DelaySeconds. */
const MAX_DELAY_SECONDS = 900;

/** Whether a record is one job of a delivered pack (a snooze keeps such a job with its pack). */
export function isPackedJob(record: SQSRecord): boolean {
  return record instanceof PackedJobRecord;
}

/**
 * A delivered batch as the runtime runs it: each job of a pack a record of its own. Packs are
 * opened as the runtime reaches them, in delivery order, not all before the first job runs:
 * the first chunk's load starts once the packs it needs are read, and the others are read
 * while requests are out. A pack's jobs keep its message id, receipt handle and receive count; each
 * carries its own attempts and is read from the pack's own parse. A pack dead-lettered whole
 * and redriven is opened from its letter. A body that is not a well-formed pack stays a
 * record as it is (and is dead-lettered as not a job).
 *
 * @example
 * ```ts
 * const batch = new UnpackedBatch(event, deps.log);
 * for (let i = 0; batch.has(i); i++) readDelivery(batch.record(i), i, JOBS.audit);
 * ```
 */
export class UnpackedBatch {
  /** The records opened so far, and for each the index of the delivered record it came from. */
  readonly #records: SQSRecord[] = [];
  readonly #owners: number[] = [];
  /** How many delivered records are opened. */
  #opened = 0;
  #packed = false;

  /**
   * @param delivered the batch as SQS delivered it: what is settled and answered
   * @param log where a pack that cannot be opened is reported
   */
  constructor(
    readonly delivered: SQSEvent,
    private readonly log: Log,
  ) {}

  /** Whether the batch has a record `i`, opening delivered records until it is known. */
  has(i: number): boolean {
    const { Records } = this.delivered;
    while (this.#records.length <= i && this.#opened < Records.length) {
      const index = this.#opened++;
      this.#open(Records[index] as SQSRecord, index);
    }
    return i < this.#records.length;
  }

  /** Record `i` of the batch as it runs; `has(i)` must be true. */
  record(i: number): SQSRecord {
    return this.#records[i] as SQSRecord;
  }

  /** The index of the delivered record that record `i` came from. */
  owner(i: number): number {
    return this.#owners[i] as number;
  }

  /** How many records the batch runs, every delivered record opened. */
  count(): number {
    this.has(Number.POSITIVE_INFINITY);
    return this.#records.length;
  }

  /** Whether any delivered record is a pack (every one opened to tell). */
  get packed(): boolean {
    this.count();
    return this.#packed;
  }

  #open(record: SQSRecord, index: number): void {
    for (const opened of this.#recordsOf(record)) {
      this.#records.push(opened);
      this.#owners.push(index);
    }
  }

  /**
   * The records a delivered record runs as: a pack's jobs, or the record itself — also when
   * opening it throws (a bug), so that every delivered message is settled by a record of its
   * own: such a pack is dead-lettered whole as not a job, and opened when redriven.
   */
  #recordsOf(record: SQSRecord): SQSRecord[] {
    try {
      const pack = openPack(record.body);
      if (pack === undefined) return [record];
      // A job's body — its own message, what a pack sent again carries — is written only when
      // asked for, from a parse of its own: a job may change the event it was given.
      let pristine: readonly unknown[] | undefined;
      const bodyOf = (k: number) => () => {
        pristine ??= (openPack(record.body) as OpenedPack).jobs;
        return JSON.stringify(pristine[k]);
      };
      const jobs = pack.jobs.map((job, k) => {
        const message = pack.letter ? redrivenJob(pack.letter, job) : job;
        return new PackedJobRecord(record, message, bodyOf(k), pack.attempts[k] ?? 0);
      });
      this.#packed = true;
      return jobs;
    } catch (error) {
      this.log.error('Pack not opened; it runs as a message of its own', {
        messageId: record.messageId,
        error: describeError(error),
      });
      return [record];
    }
  }
}

/** The jobs of a pack, or of a pack dead-lettered whole; undefined for any other body. */
function openPack(body: string): OpenedPack | undefined {
  return readJobPack(body) ?? deadLetteredPack(body);
}

/** The jobs of a delivered pack, and the letter it was dead-lettered in if it was. */
type OpenedPack = UnpackedJobs & { readonly letter?: DeadLetter };

/**
 * The largest letter opened as a pack: a pack is at most 64 KB (escaped in the letter, about
 * twice that) plus the letter's own fields; a larger body is no letter the runtime wrote.
 */
const LETTER_OF_PACK_MAX_CHARS = 256 * 1024;

/** Whether a body's JSON starts with a dead letter's kind, however it is spaced. */
const isLetterStart = startsWithKind(DEAD_LETTER_KIND);

/**
 * The jobs of a pack that was dead-lettered whole as not a job (a runtime that could not read
 * it: LocalStack's re-encoded packs before packs were told by their JSON) and is redriven
 * into its queue: the fixed code runs its jobs, each as redriven from that letter. Undefined
 * for any other body.
 */
function deadLetteredPack(body: string): OpenedPack | undefined {
  if (body.length > LETTER_OF_PACK_MAX_CHARS) return undefined;
  if (!isLetterStart(body) || !body.includes(JOB_PACK_KIND)) return undefined;
  let letter: unknown;
  try {
    letter = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isDeadLetter(letter) || letter.stage !== 'job' || letter.claimCheck) return undefined;
  const packBody = letter.job?.message === undefined ? letter.job?.body : undefined;
  const pack = typeof packBody === 'string' ? readJobPack(packBody) : undefined;
  if (pack === undefined) return undefined;
  // A redrive starts a job's attempts over, as for a letter of one job.
  return { jobs: pack.jobs, attempts: pack.jobs.map(() => 0), letter: leanLetter(letter) };
}

/**
 * The letter of a pack as each of its jobs carries it: without the pack, its history bounded
 * (the last {@link MAX_HISTORY} failures, each cut short), so that N jobs failing again write
 * N letters of their own size, not N copies of a large letter.
 */
function leanLetter(letter: DeadLetter): DeadLetter {
  const job = letter.job as Partial<NonNullable<DeadLetter['job']>>;
  // Whoever wrote the letter, its entries are read as untrusted: a missing field is ''.
  const history = letter.history.slice(-MAX_HISTORY).map((item: unknown) => {
    const entry = (typeof item === 'object' && item !== null ? item : {}) as Partial<FailureEntry>;
    return {
      at: cut(entry.at, 40),
      errorClass: cut(entry.errorClass, 100),
      message: cut(entry.message, 500),
      reason: cut(entry.reason, 100),
      codeVersion: cut(entry.codeVersion, 100),
    };
  });
  return {
    kind: letter.kind,
    v: letter.v,
    stage: 'job',
    reason: cut(letter.reason, 100),
    error: { class: cut(letter.error?.class, 100), message: cut(letter.error?.message, 500) },
    history,
    firstFailedAt: cut(letter.firstFailedAt, 40),
    lastFailedAt: cut(letter.lastFailedAt, 40),
    codeVersion: cut(letter.codeVersion, 100),
    job: {
      name: cut(job.name, 100),
      attempts: 0,
      maxAttempts: Number.isSafeInteger(job.maxAttempts) ? (job.maxAttempts as number) : 0,
      sourceQueue: cut(job.sourceQueue, 300),
      messageId: cut(job.messageId, 100),
    },
  };
}

function cut(value: unknown, max: number): string {
  return typeof value === 'string' ? value.slice(0, max) : '';
}

/**
 * One job of a dead-lettered pack as the letter of that job alone (its message in place of
 * the pack's body), so it is read, retried and dead-lettered again as a redriven job is.
 */
function redrivenJob(letter: DeadLetter, message: unknown): DeadLetter {
  return {
    ...letter,
    job: { ...(letter.job as NonNullable<DeadLetter['job']>), message: message as JobMessage },
  };
}

/** The attempts a job has had so far, as its settlement or its record says. */
function attemptsOf(settlement: Settlement | undefined, record: SQSRecord): number {
  if (settlement?.kind === 'retry' && settlement.attempts !== undefined) return settlement.attempts;
  return carriedAttemptsOf(record);
}

/** The longest backoff among settlements (0 for one left to the queue's visibility timeout). */
function longestDelay(settlements: ReadonlyArray<Settlement | undefined>): number {
  let longest = 0;
  for (const s of settlements) if (s?.kind === 'retry') longest = Math.max(longest, s.delaySeconds);
  return longest;
}

/**
 * One settlement per delivered record from those of its jobs, sending the unfinished jobs of
 * a partly finished pack again (see the module comment).
 */
export async function settlePacks(
  deps: JobDeps,
  unpacked: UnpackedBatch,
  settlements: ReadonlyArray<Settlement | undefined>,
): Promise<Array<Settlement | undefined>> {
  if (!unpacked.packed) return [...settlements];
  const byOwner: number[][] = Array.from({ length: unpacked.delivered.Records.length }, () => []);
  const count = unpacked.count();
  for (let i = 0; i < count; i++) byOwner[unpacked.owner(i)]?.push(i);
  return Promise.all(
    byOwner.map(async (jobs) => {
      // Every delivered record runs as one record at least; none would be a message unrun.
      if (jobs.length === 0) return { kind: 'unsettled' } as const;
      const own = jobs.map((i) => settlements[i]);
      if (own.every((s) => s?.kind === 'ack')) return { kind: 'ack' } as const;
      const whole: Settlement = own.some((s) => s?.kind === 'retry')
        ? { kind: 'retry', delaySeconds: longestDelay(own) }
        : { kind: 'unsettled' };
      if (!own.some((s) => s?.kind === 'ack')) return whole;
      const rest = jobs.filter((i) => settlements[i]?.kind !== 'ack');
      if (!canSendAgain(unpacked, settlements, rest)) return whole;
      return (await sendAgain(deps, unpacked, settlements, rest)) ? { kind: 'ack' } : whole;
    }),
  );
}

/**
 * Whether the unfinished jobs at `indexes` can go on in a new pack: each must be waiting for
 * a retry with its attempts known. A job left `unsettled` (a write failed: its dead letter,
 * say) comes back with its pack after the visibility timeout, as a message of its own would.
 * A job not attempted in this delivery carries the attempts it came with — right on a first
 * delivery, but a pack delivered again may have counted attempts in the job's record, under
 * the pack's message id, which a new pack would not find: then the pack comes back whole.
 */
function canSendAgain(
  unpacked: UnpackedBatch,
  settlements: ReadonlyArray<Settlement | undefined>,
  indexes: readonly number[],
): boolean {
  return indexes.every((i) => {
    const settlement = settlements[i];
    if (settlement?.kind !== 'retry') return false;
    if (settlement.attempts !== undefined) return true;
    return receiveCountOf(unpacked.record(i)) <= 1;
  });
}

/** Sends the jobs at `indexes` as a new pack; false when it cannot (the pack then comes back). */
async function sendAgain(
  deps: JobDeps,
  unpacked: UnpackedBatch,
  settlements: ReadonlyArray<Settlement | undefined>,
  indexes: readonly number[],
): Promise<boolean> {
  const delaySeconds = Math.ceil(longestDelay(indexes.map((i) => settlements[i])));
  if (delaySeconds > MAX_DELAY_SECONDS) return false;
  const records = indexes.map((i) => unpacked.record(i));
  try {
    // Written now (a job's body is written when first read); JSON.stringify leaves U+FFFE
    // and U+FFFF raw, which SQS refuses.
    const body = sqsSafeJson(
      jobPackBody(
        records.map((r) => r.body),
        indexes.map((i, k) => attemptsOf(settlements[i], records[k] as SQSRecord)),
      ),
    );
    await deps.sqs.send(
      new SendMessageCommand({
        QueueUrl: deps.config.queueUrl,
        MessageBody: body,
        DelaySeconds: delaySeconds,
      }),
    );
    return true;
  } catch (error) {
    deps.log.warn('Unfinished jobs of a pack not sent again; the pack comes back whole', {
      messageId: records[0]?.messageId,
      jobs: records.length,
      error: describeError(error),
    });
    return false;
  }
}
