/**
 * After a job ran: turn its result into an outcome — success, retry with backoff,
 * dead letter, snooze or discard — and write what must be written.
 */
import { type MessageAttributeValue, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { FailureEntry } from '../../queues/dead-letter';
import { ATTEMPTS_ATTRIBUTE } from '../../queues/job-message';
import { describeError, isTransient } from '../../shared/errors';
import { ThrottledError } from '../../shared/throttling';
import { type JobResult, JobTimedOutError } from '../outcomes';
import type { JobState } from '../stores/job-records';
import { deadLetter } from './dead-lettering';
import { isPackedJob } from './job-packs';
import { retryDelaySeconds } from './retry-schedule';
import { type BatchRun, type Ready, recordBase, type Settlement } from './run-types';

/** How running one job ended: success, what it returned (snooze, discard), or a failure. */
export type JobOutcome =
  | { readonly kind: 'success' }
  | JobResult
  | { readonly kind: 'failed'; readonly error: unknown };

/** A reason an error names for itself (e.g. RecordRejectedError), else the default. */
function reasonOf(error: unknown, fallback: string): string {
  try {
    const reason = (error as { reason?: unknown } | null)?.reason;
    return typeof reason === 'string' && reason !== '' ? reason : fallback;
  } catch {
    return fallback;
  }
}

/**
 * What was thrown, as something safe to inspect: an Error as it is, anything else (an
 * object without a prototype, a Proxy, a string) as a plain Error describing it — an
 * unclassified failure, retried.
 */
function asError(thrown: unknown): Error {
  try {
    if (thrown instanceof Error) return thrown;
  } catch {
    // A Proxy whose traps throw: described below.
  }
  const { class: kind, message } = describeError(thrown);
  const error = new Error(message);
  error.name = `Thrown ${kind}`;
  return error;
}

/** Gives the job's idempotency claim up (if it holds one) so a retry can run it again. */
async function release(run: BatchRun, ready: Ready): Promise<void> {
  const { idempotency } = run.deps;
  if (!ready.claim || !idempotency) return;
  await idempotency
    .release(ready.claim)
    .catch((error: unknown) =>
      ready.context.log.warn('Claim not released', { error: describeError(error) }),
    );
}

/** Writes the job's record in `state`; a failed write is logged, never fatal. */
async function writeRecord(
  run: BatchRun,
  ready: Ready,
  state: JobState,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const { deps } = run;
  const record = { ...recordBase(ready, deps, deps.now()), ...extra, state };
  await deps.records
    .put(record)
    .catch((error: unknown) =>
      ready.context.log.warn('Job record not written', { error: describeError(error) }),
    );
}

/**
 * Settles one job after it ran: completes or releases its idempotency claim, writes its
 * record, and returns how its delivery ends for SQS (ack, or retry after a backoff).
 *
 * @example
 * ```ts
 * const settlement = await settleJob(run, ready, { kind: 'success' }, 12);
 * ```
 */
export async function settleJob(
  run: BatchRun,
  ready: Ready,
  result: JobOutcome,
  durationMs: number,
): Promise<Settlement> {
  switch (result.kind) {
    case 'success':
      return settleSuccess(run, ready, durationMs);
    case 'snooze':
      return settleSnooze(run, ready, result.delaySeconds);
    case 'discard':
      return settleDiscard(run, ready, result.reason);
    default:
      return settleFailure(run, ready, result.error);
  }
}

/** A job that succeeded: its claim completed (so duplicates are acknowledged unrun). */
async function settleSuccess(run: BatchRun, ready: Ready, durationMs: number): Promise<Settlement> {
  const { deps, metrics } = run;
  const log = ready.context.log;
  deps.limiter.onSuccess();
  metrics.count('succeeded');
  metrics.attempts(ready.attempt);
  if (ready.claim && deps.idempotency) {
    await deps.idempotency
      .complete(ready.claim, deps.now())
      .catch((error: unknown) => log.warn('Claim not completed', { error: describeError(error) }));
  }
  if (ready.recordSuccess) await writeRecord(run, ready, 'completed');
  log.debug('Job succeeded', { durationMs });
  return { kind: 'ack' };
}

/**
 * A job that asked to run later: its message is sent again with a delay and this attempt
 * uncounted (the attempts attribute carries the count), so a snooze never uses up retries.
 */
async function settleSnooze(
  run: BatchRun,
  ready: Ready,
  delaySeconds: number,
): Promise<Settlement> {
  const { deps, metrics } = run;
  const log = ready.context.log;
  await release(run, ready);
  const attempts = ready.attempt - 1;
  // A job of a pack is not sent on its own (the pack could come back whole and run it again
  // beside its copy): it stays with its pack, which is sent again or comes back after the
  // delay (job-packs.ts), this attempt uncounted.
  const packed = isPackedJob(ready.delivery.record);
  if (!packed) {
    const attributes: Record<string, MessageAttributeValue> = {
      [ATTEMPTS_ATTRIBUTE]: { DataType: 'Number', StringValue: String(attempts) },
    };
    try {
      await deps.sqs.send(
        new SendMessageCommand({
          QueueUrl: deps.config.queueUrl,
          MessageBody: ready.delivery.record.body,
          DelaySeconds: delaySeconds,
          MessageAttributes: attributes,
        }),
      );
    } catch (error) {
      // Not re-sent: the same message comes back after the delay instead; still uncounted.
      log.warn('Snoozed job not re-sent; delaying this message', { error: describeError(error) });
      return { kind: 'retry', delaySeconds, attempts };
    }
  }
  metrics.count('snoozed');
  if (ready.tracked) await writeRecord(run, ready, 'snoozed', { attempts });
  log.info('Job snoozed', { delaySeconds });
  return packed ? { kind: 'retry', delaySeconds, attempts } : { kind: 'ack' };
}

/** A job that decided it has nothing to do: acknowledged, and recorded with its reason. */
async function settleDiscard(run: BatchRun, ready: Ready, reason: string): Promise<Settlement> {
  await release(run, ready);
  run.metrics.count('discarded', reason);
  await writeRecord(run, ready, 'discarded', { reason });
  ready.context.log.info('Job discarded', { reason });
  return { kind: 'ack' };
}

/**
 * A job that threw: dead-lettered when the error is permanent or the attempts are used up,
 * otherwise retried after a backoff (at least what a throttling target asked for).
 */
async function settleFailure(run: BatchRun, ready: Ready, thrown: unknown): Promise<Settlement> {
  const { deps } = run;
  const error = asError(thrown);
  const described = describeError(error);
  // A timed-out job may still be running: its claim stays until the lease ends.
  if (!(error instanceof JobTimedOutError)) await release(run, ready);
  if (error instanceof ThrottledError) noteThrottled(run, error);
  const permanent = !isTransient(error);
  if (permanent || ready.attempt >= deps.definition.settings.maxAttempts) {
    const reason = permanent ? reasonOf(error, 'JOB_FAILED') : 'ATTEMPTS_EXHAUSTED';
    return deadLetter(run, {
      delivery: ready.delivery,
      reason,
      error: described,
      attempts: ready.attempt,
      history: ready.history,
      record: recordBase(ready, deps, deps.now()),
    });
  }
  return retryLater(run, ready, error, described);
}

/**
 * One pushback halves the limit once per batch, however many of its jobs it failed (a
 * rejected bulk request fails all of them): AIMD reacts per congestion event.
 */
function noteThrottled(run: BatchRun, error: ThrottledError): void {
  if (!run.throttled) run.deps.limiter.onThrottle();
  run.throttled = true;
  run.retryAfterSeconds = Math.max(run.retryAfterSeconds, error.retryAfterSeconds ?? 0);
  run.metrics.count('throttled');
}

/** Records the failed attempt in the job's history and puts the message back after a backoff. */
async function retryLater(
  run: BatchRun,
  ready: Ready,
  error: Error,
  described: ReturnType<typeof describeError>,
): Promise<Settlement> {
  const { deps, metrics } = run;
  const now = deps.now().toISOString();
  const entry: FailureEntry = {
    at: now,
    errorClass: described.class,
    message: described.message,
    reason: 'RETRY',
    codeVersion: deps.codeVersion,
  };
  const retryAfter = error instanceof ThrottledError ? (error.retryAfterSeconds ?? 0) : 0;
  const backoff = deps.definition.settings.backoff;
  const delaySeconds = retryDelaySeconds(backoff, ready.attempt, deps.random, retryAfter);
  await writeRecord(run, ready, 'retryable', {
    lastError: described,
    history: [...ready.history, entry],
    firstFailedAt: ready.firstFailedAt ?? now,
    lastFailedAt: now,
  });
  metrics.count('retried');
  ready.context.log.warn('Job failed; retrying after backoff', {
    error: described,
    attempt: ready.attempt,
    delaySeconds,
  });
  return { kind: 'retry', delaySeconds, attempts: ready.attempt };
}
