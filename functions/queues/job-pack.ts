/**
 * A job pack: many job messages of one job in one SQS message, for jobs whose definition sets
 * `jobsPerMessage` (batch jobs that are naturally idempotent, such as the audit trail). SQS
 * bills a request per 64 KB of payload, so a pack of 60 one-kilobyte jobs is sent, received
 * and deleted for the price of one job (`npm run bench:cost`).
 *
 * The body is `{"kind":"sluice.job-pack","v":1,"jobs":[<job message>,…]}`, written by the
 * router with that key order, plus `"attempts":[n,…]` when the job runtime sends the
 * unfinished jobs of a pack again (each job's attempts so far, as `sluice-attempts` carries a
 * single message's). The runtime runs each job of a pack as the job of its own message would
 * run (functions/jobs/runtime/job-packs.ts).
 */
import { startsWithKind } from './message-kind';
import { type OutgoingMessage, sqsMessageBytes } from './sqs-batch-sender';

export const JOB_PACK_KIND = 'sluice.job-pack';

/** The start of every pack body as the router and the runtime write it. */
export const JOB_PACK_HEAD = `{"kind":"${JOB_PACK_KIND}","v":1,"jobs":[`;

/**
 * The most payload a pack holds: SQS bills each 64 KB of a request's payload as a request,
 * so a bigger pack costs as much as two.
 */
export const JOB_PACK_MAX_BYTES = 64 * 1024;

/** A pack as the sender sends it: the messages it holds come back with its outcome. */
export interface JobPack<T extends OutgoingMessage> extends OutgoingMessage {
  readonly jobs: readonly T[];
}

/** The JSON body of a pack of job message bodies, with each job's attempts if any are carried. */
export function jobPackBody(bodies: readonly string[], attempts?: readonly number[]): string {
  const tail = attempts?.some((n) => n > 0) ? `],"attempts":[${attempts.join(',')}]}` : ']}';
  return `${JOB_PACK_HEAD}${bodies.join(',')}${tail}`;
}

/**
 * Gathers job messages of one queue into packs of at most `maxJobs` messages and
 * {@link JOB_PACK_MAX_BYTES} bytes, in order; a message that cannot share a pack is handed on
 * alone, as it is. A pack (or a lone message) goes to `onMessage` as soon as it is full;
 * {@link flush} hands over the rest.
 *
 * @example
 * ```ts
 * const packer = new JobPacker<PlannedJob>(100, (message) => sender.add(message), 1_048_576);
 * for (const job of jobs) packer.add(job);
 * packer.flush();
 * ```
 */
export class JobPacker<T extends OutgoingMessage> {
  private jobs: T[] = [];
  /** The pack's body so far: head, bodies and commas, tail. */
  private bytes = HEAD_AND_TAIL_BYTES;
  private attributes: Readonly<Record<string, string>> | undefined;

  private readonly maxBytes: number;

  /** `maxBytes`: the queue's message size limit, when it is below {@link JOB_PACK_MAX_BYTES}. */
  constructor(
    private readonly maxJobs: number,
    private readonly onMessage: (message: T | JobPack<T>) => void,
    maxBytes = JOB_PACK_MAX_BYTES,
  ) {
    this.maxBytes = Math.min(maxBytes, JOB_PACK_MAX_BYTES);
  }

  add(job: T): void {
    const bodyBytes = job.bytes - attributeBytes(job.attributes);
    // A job too big to share a pack goes on its own, as it is.
    if (HEAD_AND_TAIL_BYTES + bodyBytes + PACK_ATTRIBUTE_ROOM > this.maxBytes) {
      this.onMessage(job);
      return;
    }
    // A comma before every job but the first.
    if (this.jobs.length > 0 && this.bytes + 1 + bodyBytes + PACK_ATTRIBUTE_ROOM > this.maxBytes) {
      this.flush();
    }
    if (this.jobs.length === 0) this.attributes = packAttributes(job.attributes);
    else this.bytes += 1;
    this.bytes += bodyBytes;
    this.jobs.push(job);
    if (this.jobs.length >= this.maxJobs) this.flush();
  }

  flush(): void {
    const jobs = this.jobs;
    if (jobs.length === 0) return;
    const bytes = this.bytes;
    const attributes = this.attributes;
    this.jobs = [];
    this.bytes = HEAD_AND_TAIL_BYTES;
    const first = jobs[0] as T;
    // A pack of one is the job's own message: nothing to unpack, and any consumer reads it.
    if (jobs.length === 1) {
      this.onMessage(first);
      return;
    }
    this.onMessage({
      queueUrl: first.queueUrl,
      body: jobPackBody(jobs.map((job) => job.body)),
      ...(attributes === undefined ? {} : { attributes }),
      bytes: bytes + attributeBytes(attributes),
      jobs,
    });
  }
}

/**
 * A pack keeps the attribute its jobs share — `job`, the same for every message of a queue —
 * and drops those of each job's own (`eventType`: each job's event says it).
 */
function packAttributes(
  attributes: Readonly<Record<string, string>> | undefined,
): Readonly<Record<string, string>> | undefined {
  const job = attributes?.job;
  return job === undefined ? undefined : { job };
}

/** Room for a pack's attributes: the `job` attribute with a name of up to 80 characters. */
const PACK_ATTRIBUTE_ROOM = 3 + 6 + 80;

const attributeSizes = new WeakMap<object, number>();

/** The attributes' share of a message's size, as {@link sqsMessageBytes} counts it (cached: routes share them). */
function attributeBytes(attributes: Readonly<Record<string, string>> | undefined): number {
  if (attributes === undefined) return 0;
  let bytes = attributeSizes.get(attributes);
  if (bytes === undefined) {
    bytes = sqsMessageBytes('', attributes);
    attributeSizes.set(attributes, bytes);
  }
  return bytes;
}

const HEAD_AND_TAIL_BYTES = JOB_PACK_HEAD.length + 2;

/** Whether a sent message is a pack (and not one job's own message). */
export function isJobPack<T extends OutgoingMessage>(
  message: T | JobPack<T>,
): message is JobPack<T> {
  return (message as Partial<JobPack<T>>).jobs !== undefined;
}

/** What a pack body holds: each job's message and the attempts it carries (0 if none). */
export interface UnpackedJobs {
  readonly jobs: readonly unknown[];
  readonly attempts: readonly number[];
}

/** The most jobs a pack may hold when read: a bound on the work one message can ask for. */
export const JOB_PACK_MAX_JOBS = 1_000;

/** Whether a body's JSON starts with the pack's kind, however it is spaced. */
const isPackStart = startsWithKind(JOB_PACK_KIND);

/**
 * The jobs of a pack body, or undefined when the body is not a pack (or not a well-formed one:
 * it is then read as a message of its own, and dead-lettered as not a job).
 *
 * A pack is told by what its JSON says, not by its bytes: SQS delivers a body as it was sent,
 * but a body re-encoded on the way is the same pack (LocalStack's SQS poller parses every
 * JSON body and writes it again with Python's separators — `{"kind": "sluice.job-pack", …`).
 * Only a body whose JSON starts with the kind (`kind` first, as every writer puts it) is
 * parsed, so a job's own message is not parsed twice, nor scanned for the kind's name.
 *
 * @example
 * ```ts
 * readJobPack(record.body)?.jobs.length; // 60
 * ```
 */
export function readJobPack(body: string): UnpackedJobs | undefined {
  if (!body.startsWith(JOB_PACK_HEAD) && !isPackStart(body)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { kind, v, jobs, attempts } = parsed as Partial<Record<string, unknown>>;
  if (kind !== JOB_PACK_KIND || v !== 1) return undefined;
  if (!Array.isArray(jobs) || jobs.length === 0 || jobs.length > JOB_PACK_MAX_JOBS)
    return undefined;
  if (attempts === undefined) return { jobs, attempts: jobs.map(() => 0) };
  const valid =
    Array.isArray(attempts) &&
    attempts.length === jobs.length &&
    attempts.every((n) => Number.isSafeInteger(n) && (n as number) >= 0);
  return valid ? { jobs, attempts: attempts as number[] } : undefined;
}
