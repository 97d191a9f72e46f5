/**
 * After a job ran: turn its result into an outcome — success, retry with backoff,
 * dead letter, snooze or discard — and write what must be written.
 */
import { type MessageAttributeValue, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { FailureEntry } from '../../queues/dead-letter';
import { describeError, isTransient } from '../../shared/errors';
import { ThrottledError } from '../../shared/throttling';
import { type JobResult, JobTimedOutError } from '../outcomes';
import type { JobState } from '../stores/job-records';
import { deadLetter } from './dead-lettering';
import { ATTEMPTS_ATTRIBUTE } from './delivery';
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
  const { deps, metrics } = run;
  const { settings } = deps.definition;
  const log = ready.context.log;

  if (result.kind === 'success') {
    deps.limiter.onSuccess();
    metrics.count('succeeded');
    metrics.attempts(ready.attempt);
    if (ready.claim && deps.idempotency) {
      await deps.idempotency
        .complete(ready.claim, deps.now())
        .catch((error: unknown) =>
          log.warn('Claim not completed', { error: describeError(error) }),
        );
    }
    if (ready.recordSuccess) await writeRecord(run, ready, 'completed');
    log.debug('Job succeeded', { durationMs });
    return { kind: 'ack' };
  }

  if (result.kind === 'snooze') {
    await release(run, ready);
    const attributes: Record<string, MessageAttributeValue> = {
      [ATTEMPTS_ATTRIBUTE]: { DataType: 'Number', StringValue: String(ready.attempt - 1) },
    };
    try {
      await deps.sqs.send(
        new SendMessageCommand({
          QueueUrl: deps.config.queueUrl,
          MessageBody: ready.delivery.record.body,
          DelaySeconds: result.delaySeconds,
          MessageAttributes: attributes,
        }),
      );
    } catch (error) {
      // Not re-sent: the same message comes back after the delay instead; still uncounted.
      log.warn('Snoozed job not re-sent; delaying this message', { error: describeError(error) });
      return { kind: 'retry', delaySeconds: result.delaySeconds };
    }
    metrics.count('snoozed');
    if (ready.tracked) await writeRecord(run, ready, 'snoozed', { attempts: ready.attempt - 1 });
    log.info('Job snoozed', { delaySeconds: result.delaySeconds });
    return { kind: 'ack' };
  }

  if (result.kind === 'discard') {
    await release(run, ready);
    metrics.count('discarded', result.reason);
    await writeRecord(run, ready, 'discarded', { reason: result.reason });
    log.info('Job discarded', { reason: result.reason });
    return { kind: 'ack' };
  }

  const error = asError(result.error);
  const described = describeError(error);
  // A timed-out job may still be running: its claim stays until the lease ends.
  if (!(error instanceof JobTimedOutError)) await release(run, ready);
  if (error instanceof ThrottledError) {
    // One pushback halves the limit once per batch, however many of its jobs it failed (a
    // rejected bulk request fails all of them): AIMD reacts per congestion event.
    if (!run.throttled) deps.limiter.onThrottle();
    run.throttled = true;
    run.retryAfterSeconds = Math.max(run.retryAfterSeconds, error.retryAfterSeconds ?? 0);
    metrics.count('throttled');
  }
  const permanent = !isTransient(error);
  if (permanent || ready.attempt >= settings.maxAttempts) {
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
  const now = deps.now().toISOString();
  const entry: FailureEntry = {
    at: now,
    errorClass: described.class,
    message: described.message,
    reason: 'RETRY',
    codeVersion: deps.codeVersion,
  };
  const retryAfter = error instanceof ThrottledError ? (error.retryAfterSeconds ?? 0) : 0;
  const delaySeconds = retryDelaySeconds(settings.backoff, ready.attempt, deps.random, retryAfter);
  await writeRecord(run, ready, 'retryable', {
    lastError: described,
    history: [...ready.history, entry],
    firstFailedAt: ready.firstFailedAt ?? now,
    lastFailedAt: now,
  });
  metrics.count('retried');
  log.warn('Job failed; retrying after backoff', {
    error: described,
    attempt: ready.attempt,
    delaySeconds,
  });
  return { kind: 'retry', delaySeconds };
}
