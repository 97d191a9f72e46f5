/**
 * Routes a batch of records: plans each one, enqueues the jobs, dead-letters what can
 * never be routed, and reports, per record, how it ended. A record ends `pending` when a
 * transient fault outlasted the retries; the caller makes Lambda deliver it again.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { EventParser } from '../events/parse-event';
import { JobMessageWriter } from '../queues/job-message';
import { isJobPack, type JobPack, JobPacker } from '../queues/job-pack';
import {
  BatchSender,
  messageTooLarge,
  type SendOptions,
  type SendOutcome,
} from '../queues/sqs-batch-sender';
import { describeError, RecordRejectedError, TransientError } from '../shared/errors';
import type { Log, MetricCounter } from '../shared/telemetry';
import { type JobName, METRICS, type Routes } from '../topology/topology';
import { JOBS } from '../workers/jobs';
import { jobQueueUrl, type RouterConfig } from './config';
import {
  type DeadLetterLedger,
  ingestDeadLetterId,
  inParallel,
  type LedgerEntry,
} from './dead-letter-ledger';
import { type DeadLetterMessage, deadLetterMessage } from './dead-letters';
import { type Plan, type PlanContext, type PlannedJob, planRecord, type RouterInput } from './plan';

export interface RouterDeps {
  readonly sqs: SQSClient;
  readonly s3: S3Client;
  readonly config: RouterConfig;
  readonly parser: EventParser;
  readonly routes: Routes;
  readonly log: Log;
  readonly counter: MetricCounter;
  readonly codeVersion: string;
  readonly now: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** How one record of a batch ended. */
export type RecordOutcome = 'routed' | 'skipped' | 'dead-lettered' | 'pending';

/**
 * What is kept of a record until its batch ends. A routed record keeps only its list of
 * jobs, through an object shared by every record with that list, so the records of a large
 * batch do not pile up in memory (and get copied by every young-generation GC) while it is
 * sent. In the rare case SQS rejects one of its jobs, its identity is read again.
 */
type Kept = Exclude<Plan, { kind: 'jobs' }> | Routed;

interface Routed {
  readonly kind: 'routed';
  readonly jobs: readonly JobName[];
}

const routedByJobs = new WeakMap<readonly JobName[], Routed>();

/** The one {@link Routed} of a list of jobs (lists are shared per event type). */
function routed(jobs: readonly JobName[]): Routed {
  let kept = routedByJobs.get(jobs);
  if (kept === undefined) {
    kept = Object.freeze({ kind: 'routed', jobs });
    routedByJobs.set(jobs, kept);
  }
  return kept;
}

const M = METRICS.router;
const D = METRICS.dimensions;

/**
 * Routes `inputs` and returns one outcome per input, in order. Every rejected record is
 * dead-lettered now, whatever happened to the others; with a `ledger`, a dead letter SQS
 * accepted on an earlier delivery of the same record is not sent again (Lambda delivers a
 * failed batch again, from its start or from the reported offset).
 *
 * @throws PermanentError when a call fails for a reason no record can fix (access denied,
 * missing queue): a configuration fault that must stop the batch.
 */
export async function routeBatch(
  inputs: readonly RouterInput[],
  deps: RouterDeps,
  ledger?: DeadLetterLedger,
): Promise<RecordOutcome[]> {
  const context = planContext(deps);
  const sendOptions = sendOptionsOf(deps);
  const sender = new BatchSender<JobOrPack>(deps.sqs, sendOptions);
  const plans = await planAndEnqueue(inputs, context, sender, deps.config.maxMessageBytes);
  deps.counter.count(M.recordsReceived, inputs.length);

  const pending = new Map<number, Error>();
  const sent = await sender.finish();
  for (const { message, error } of jobsOf(sent.unsent)) pending.set(message.input, error);
  rejectRefusedJobs(jobsOf(sent.rejected), plans, pending, inputs, context);

  const rejects: number[] = [];
  for (let index = 0; index < plans.length; index++) {
    if ((plans[index] as Kept).kind === 'reject' && !pending.has(index)) rejects.push(index);
  }
  const letters = await sendDeadLetters(rejects, plans, inputs, deps, sendOptions, ledger);
  for (const [index, error] of letters.pending) pending.set(index, error);
  if (letters.suppressed > 0) deps.counter.count(M.deadLettersSuppressed, letters.suppressed);

  return settleAll(plans, pending, letters.resent, inputs, deps);
}

/** What the router sends: a job's own message, or a pack of jobs of one queue (job-pack.ts). */
type JobOrPack = PlannedJob | JobPack<PlannedJob>;

/** Each job of the messages of an outcome, with its message's error: a pack's are all its jobs'. */
function jobsOf<E>(
  outcomes: ReadonlyArray<{ message: JobOrPack; error: E }>,
): Array<{ message: PlannedJob; error: E }> {
  return outcomes.flatMap(({ message, error }) =>
    isJobPack(message)
      ? message.jobs.map((job) => ({ message: job, error }))
      : [{ message, error }],
  );
}

/**
 * Hands each job to the sender: on its own, or — for a job whose definition sets
 * `jobsPerMessage` — into its pack for that job and the record's partition, which goes to
 * the sender when full; {@link flush} sends the partial packs. Packs stay within a partition
 * so a pack SQS does not take holds back only its own partition's records (ReportBatchItemFailures
 * reports the first offset not handled per partition).
 */
class JobEnqueuer {
  private readonly packers = new Map<string, JobPacker<PlannedJob>>();

  constructor(
    private readonly sender: BatchSender<JobOrPack>,
    private readonly maxBytes: number,
  ) {}

  add(message: PlannedJob, record: { topic: string; partition: number }): void {
    const perMessage = JOBS[message.job].settings.jobsPerMessage ?? 1;
    if (perMessage <= 1) {
      this.sender.add(message);
      return;
    }
    const key = `${message.job}\u0000${record.topic}\u0000${record.partition}`;
    let packer = this.packers.get(key);
    if (packer === undefined) {
      packer = new JobPacker<PlannedJob>(perMessage, (m) => this.sender.add(m), this.maxBytes);
      this.packers.set(key, packer);
    }
    packer.add(message);
  }

  flush(): void {
    for (const packer of this.packers.values()) packer.flush();
  }
}

/** What planning needs for one batch: one enqueue time and one queue URL string per job. */
function planContext(deps: RouterDeps): PlanContext {
  const queueUrls = new Map<string, string>();
  return {
    parser: deps.parser,
    routes: deps.routes,
    queueUrlOf: (job) => {
      // One string per queue: Map lookups on it (per message, in the sender) hash it once.
      let url = queueUrls.get(job);
      if (url === undefined) {
        url = jobQueueUrl(deps.config, job);
        queueUrls.set(job, url);
      }
      return url;
    },
    jobMessages: new JobMessageWriter(deps.now().toISOString(), deps.codeVersion),
  };
}

/** How jobs and dead letters are sent: the same limits, retries and concurrency for both. */
function sendOptionsOf(deps: RouterDeps): SendOptions {
  return {
    maxBytes: deps.config.maxMessageBytes,
    maxAttempts: deps.config.sendMaxAttempts,
    backoff: deps.config.sendBackoff,
    concurrency: deps.config.sendConcurrency,
    onRetry: (count) => deps.counter.count(M.sendRetries, count),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  };
}

/**
 * Plans every record and hands its jobs to the sender as it goes: full batches are sent
 * while the rest of the batch is planned, and each message is garbage once its call is
 * answered. Returns what is kept of each record, in order.
 */
async function planAndEnqueue(
  inputs: readonly RouterInput[],
  context: PlanContext,
  sender: BatchSender<JobOrPack>,
  maxBytes: number,
): Promise<Kept[]> {
  const plans: Kept[] = [];
  const messages: PlannedJob[] = [];
  const enqueuer = new JobEnqueuer(sender, maxBytes);
  for (let index = 0; index < inputs.length; index++) {
    messages.length = 0;
    const plan = planRecord(inputs[index] as RouterInput, index, context, messages);
    // Reject a record whose job cannot fit before any of its jobs is sent, so it is either
    // routed or dead-lettered, never both.
    const tooBig = messages.find((j) => j.bytes > maxBytes);
    if (plan.kind === 'jobs' && tooBig) {
      const error = messageTooLarge(tooBig.bytes, maxBytes);
      plans.push({
        kind: 'reject',
        error: jobRejected(tooBig.job, error),
        identity: plan.identity,
      });
      continue;
    }
    const { record } = inputs[index] as RouterInput;
    for (const message of messages) enqueuer.add(message, record);
    plans.push(plan.kind === 'jobs' ? routed(plan.jobs) : plan);
    if (sender.backlogged) await sender.drained();
  }
  enqueuer.flush();
  return plans;
}

/**
 * Turns a routed record one of whose jobs SQS refused (and none left pending) into a
 * rejection to dead-letter, in `plans`. Its other jobs were accepted and stay: the dead
 * letter says which.
 */
function rejectRefusedJobs(
  refused: ReadonlyArray<SendOutcome<PlannedJob>['rejected'][number]>,
  plans: Kept[],
  pending: ReadonlyMap<number, Error>,
  inputs: readonly RouterInput[],
  context: PlanContext,
): void {
  const rejectedJobs = new Map<number, { jobs: JobName[]; error: Error }>();
  for (const { message, error } of refused) {
    const kept = rejectedJobs.get(message.input);
    if (kept) kept.jobs.push(message.job);
    else rejectedJobs.set(message.input, { jobs: [message.job], error });
  }
  for (const [index, { jobs: rejected, error }] of rejectedJobs) {
    const plan = plans[index] as Kept;
    if (plan.kind !== 'routed' || pending.has(index)) continue;
    // Planning the record again is deterministic and gives back the identity it dropped.
    const again = planRecord(inputs[index] as RouterInput, index, context, []);
    const identity = again.kind === 'reject' ? {} : again.identity;
    plans[index] = {
      kind: 'reject',
      error: jobRejected(rejected[0] as JobName, error),
      identity,
      routing: { enqueued: plan.jobs.filter((job) => !rejected.includes(job)), rejected },
    };
  }
}

/**
 * The outcome of every record, with its counts and logs. Jobs enqueued are counted per job
 * name once per batch, not once per record: first per list of jobs (one shared list per
 * event type), then per name.
 */
function settleAll(
  plans: readonly Kept[],
  pending: ReadonlyMap<number, Error>,
  resent: ReadonlySet<number>,
  inputs: readonly RouterInput[],
  deps: RouterDeps,
): RecordOutcome[] {
  const countsByJobs = new Map<readonly JobName[], number>();
  const outcomes = plans.map((plan, index): RecordOutcome => {
    const pendingError = pending.get(index);
    if (pendingError) {
      deps.log.warn(
        'Record not routed yet; it will be delivered again',
        recordLog(inputs, index, pendingError),
      );
      return 'pending';
    }
    if (plan.kind === 'routed') {
      countsByJobs.set(plan.jobs, (countsByJobs.get(plan.jobs) ?? 0) + 1);
      return 'routed';
    }
    if (resent.has(index)) return 'dead-lettered'; // counted when it was sent
    return settleRecord(plan, index, inputs, deps);
  });
  const enqueued = new Map<string, number>();
  for (const [jobs, count] of countsByJobs) {
    for (const job of jobs) enqueued.set(job, (enqueued.get(job) ?? 0) + count);
  }
  for (const [job, count] of enqueued) {
    deps.counter.count(M.jobsEnqueued, count, jobDimensions(job));
  }
  return outcomes;
}

/**
 * Sends the dead letters of the records at `indexes`: looked up in the ledger first (those
 * SQS accepted on an earlier delivery are not sent again; those the ledger cannot tell about
 * stay pending), built — claim checks stored — and sent packed like jobs (at most 10 per
 * call and the size limit, calls in parallel), then the accepted ones recorded in the ledger.
 * A record whose letter could not be stored or sent stays pending; it costs only itself.
 */
async function sendDeadLetters(
  indexes: readonly number[],
  plans: readonly Kept[],
  inputs: readonly RouterInput[],
  deps: RouterDeps,
  options: SendOptions,
  ledger: DeadLetterLedger | undefined,
): Promise<{ pending: Map<number, Error>; resent: Set<number>; suppressed: number }> {
  const pending = new Map<number, Error>();
  const resent = new Set<number>();
  if (indexes.length === 0) return { pending, resent, suppressed: 0 };
  const entries = new Map<number, LedgerEntry>();
  let toSend: number[] = [...indexes];
  if (ledger) {
    for (const index of indexes) {
      const { topic, partition, offset } = (inputs[index] as RouterInput).record;
      const id = ingestDeadLetterId({ topic, partition, offset }, deps.codeVersion);
      entries.set(index, { id, topic, partition, offset });
    }
    const known = await ledger.lookup([...entries.values()]);
    toSend = [];
    for (const index of indexes) {
      const id = (entries.get(index) as LedgerEntry).id;
      if (known.sent.has(id)) resent.add(index);
      else if (known.unknown.has(id)) pending.set(index, LEDGER_UNREAD);
      else toSend.push(index);
    }
  }
  const accepted: number[] = [];
  const sender = new BatchSender<DeadLetterMessage>(deps.sqs, options, (message) =>
    accepted.push(message.input),
  );
  try {
    await inParallel(toSend, options.concurrency, async (index) => {
      const plan = plans[index] as Extract<Kept, { kind: 'reject' }>;
      try {
        const input = inputs[index] as RouterInput;
        sender.add(await deadLetterMessage(input, index, plan, deps, entries.get(index)?.id));
      } catch (error) {
        pending.set(
          index,
          error instanceof Error ? error : new Error(describeError(error).message),
        );
        return;
      }
      if (sender.backlogged) await sender.drained();
    });
    const outcome = await sender.finish();
    for (const { message, error } of outcome.unsent) pending.set(message.input, error);
    for (const { message, error } of outcome.rejected) {
      deps.log.error(
        "SQS refused a dead letter as the sender's fault",
        recordLog(inputs, message.input, error),
      );
      pending.set(message.input, error);
    }
  } finally {
    // Also when a call failed for good (a configuration fault): what SQS took is recorded.
    if (ledger && accepted.length > 0) {
      const unrecorded = await ledger.record(
        accepted.map((index) => entries.get(index) as LedgerEntry),
      );
      if (unrecorded.length > 0) {
        deps.counter.count(M.ledgerWritesFailed, unrecorded.length);
        deps.log.error(
          'Dead letters sent but not recorded in the ledger; a redelivery resends them',
          {
            count: unrecorded.length,
          },
        );
      }
    }
  }
  return { pending, resent, suppressed: resent.size };
}

const LEDGER_UNREAD = new TransientError('The dead-letter ledger could not be read in time');

/** The rejection of a record one of whose jobs SQS will not take. */
function jobRejected(job: JobName, error: Error): RecordRejectedError {
  return new RecordRejectedError(
    'JOB_REJECTED',
    `Job ${job} could not be enqueued: ${error.message}`,
    undefined,
    { cause: error },
  );
}

/** Counts and logs a record that was skipped or dead-lettered, and says which. */
function settleRecord(
  plan: Exclude<Kept, Routed>,
  index: number,
  inputs: readonly RouterInput[],
  deps: RouterDeps,
): RecordOutcome {
  const { counter } = deps;
  if (plan.kind === 'skip') {
    counter.count(M.recordsSkipped, 1, { [D.eventType]: plan.identity.type });
    return 'skipped';
  }
  const { error, identity } = plan;
  const byType = {
    [D.eventType]: dimensionValue(identity.type ?? 'none'),
    [D.schemaVersion]: String(identity.version ?? 'none'),
  };
  counter.count(M.recordsDeadLettered, 1, { [D.reason]: error.reason }, byType);
  if (error.reason === 'UNKNOWN_TYPE' || error.reason === 'UNKNOWN_VERSION') {
    counter.count(M.unknownSchemas, 1, byType);
  }
  deps.log.warn('Record dead-lettered', {
    ...recordLog(inputs, index, error),
    reason: error.reason,
    path: error.path,
    correlation_id: identity.id,
    eventType: identity.type,
    schemaVersion: identity.version,
  });
  return 'dead-lettered';
}

function recordLog(
  inputs: readonly RouterInput[],
  index: number,
  error: Error,
): Record<string, unknown> {
  const record = inputs[index]?.record;
  return {
    topic: record?.topic,
    partition: record?.partition,
    offset: record?.offset,
    error: `${error.name}: ${error.message}`,
  };
}

const dimensionsByJob = new Map<string, Record<string, string>>();

/** One dimension object per job name, so the counter can cache its key. */
function jobDimensions(job: string): Record<string, string> {
  let dimensions = dimensionsByJob.get(job);
  if (!dimensions) {
    dimensions = { [D.job]: job };
    dimensionsByJob.set(job, dimensions);
  }
  return dimensions;
}

/** Producer-controlled strings become metric dimensions only when they look like a type name. */
function dimensionValue(type: string): string {
  return /^[A-Z][A-Z0-9_]{0,63}$/.test(type) ? type : 'INVALID';
}
