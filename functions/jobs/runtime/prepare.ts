/**
 * Before a job runs: count its attempts and claim it.
 *
 * Attempts are counted by the runtime, not by ApproximateReceiveCount (which also rises on
 * throttles and deferrals). A first delivery (receive count 1, nothing carried over) is
 * attempt 1 with no read at all — the happy path of a naturally idempotent job touches
 * nothing but its own target. A redelivery reads the job record: when it belongs to this
 * message its attempt count continues; a record left `executing` is an attempt that timed
 * out or crashed, and counts.
 */
import type { FailureEntry } from '../../queues/dead-letter';
import type { JobMessage } from '../../queues/job-message';
import { describeError } from '../../shared/errors';
import type { Log } from '../../shared/telemetry';
import { MAX_RETRY_DELAY_SECONDS } from '../job-definition';
import type { JobRecord } from '../stores/job-records';
import { deadLetter } from './dead-lettering';
import { type Delivery, resolveClaimCheck } from './delivery';
import { retryDelaySeconds } from './retry-schedule';
import {
  type BatchRun,
  type Prepared,
  type Ready,
  type RecordSource,
  recordBase,
  type Settlement,
  withKeys,
} from './run-types';

export async function prepare(run: BatchRun, received: Delivery): Promise<Prepared> {
  const { deps } = run;
  // Only a redriven, claim-checked dead letter needs a read first: no await otherwise.
  const delivery = received.claimCheck ? await withClaimCheckRead(run, received) : received;
  if (!delivery) return settled({ kind: 'unsettled' });
  const message = delivery.message;
  if (delivery.problem || !message) return settled(await deadLetterInvalid(run, delivery));
  const event = message.event as { id?: unknown };
  const keys = {
    job: deps.definition.name,
    jobId: message.jobId,
    correlation_id: typeof event.id === 'string' ? event.id : undefined,
    messageId: delivery.messageId,
  };
  const log = withKeys(deps.log, keys);

  const redelivered = delivery.receiveCount > 1 || delivery.carriedAttempts > 0;
  let prior: JobRecord | undefined;
  if (redelivered) {
    try {
      prior = await deps.records.get(message.jobId);
    } catch (error) {
      return defer(run, log, delivery, error);
    }
  }
  const same = prior !== undefined && prior.messageId === delivery.messageId ? prior : undefined;
  if (same && (same.state === 'dead' || same.state === 'completed' || same.state === 'discarded')) {
    // Settled before, but the acknowledgement was lost: do not run or dead-letter twice.
    log.info('Job already settled; acknowledging again', { state: same.state });
    return settled({ kind: 'ack' });
  }
  const history = historySoFar(run, delivery, prior, same);
  const priorAttempts = same ? same.attempts : delivery.carriedAttempts;
  if (priorAttempts >= deps.definition.settings.maxAttempts) {
    const source = { delivery, message, attempt: priorAttempts, history };
    return settled(
      await deadLetterExhausted(run, { ...source, firstFailedAt: history[0]?.at }, same),
    );
  }

  // Without an idempotency store there is nothing to claim, and no await.
  const claimed = deps.idempotency ? await claimOrDefer(run, log, delivery, message) : undefined;
  if (claimed?.kind === 'settled') return claimed;
  const ready = readyToRun(run, keys, {
    delivery,
    message,
    attempt: priorAttempts + 1,
    history,
    firstFailedAt: history[0]?.at,
    claim: claimed?.claim,
    // A redriven dead letter has a `dead` record: its outcome now must replace that.
    tracked: redelivered || delivery.redrivenFrom !== undefined,
  });
  if (redelivered) await markStarted(run, log, ready);
  return ready;
}

function settled(settlement: Settlement): Prepared {
  return { kind: 'settled', settlement };
}

/** A delivery that is not a job message (unparsable, wrong shape) is dead-lettered unrun. */
function deadLetterInvalid(run: BatchRun, delivery: Delivery): Promise<Settlement> {
  const problem = delivery.problem ?? { reason: 'NOT_A_JOB', message: 'no job message' };
  return deadLetter(run, {
    delivery,
    reason: problem.reason,
    error: { class: 'InvalidJobMessage', message: problem.message },
    attempts: 0,
    history: delivery.redrivenFrom?.history ?? [],
  });
}

/**
 * The failures so far, oldest first: the job record's (else the redriven dead letter's),
 * plus the attempt its record says was still `executing` — one that timed out or crashed.
 */
function historySoFar(
  run: BatchRun,
  delivery: Delivery,
  prior: JobRecord | undefined,
  same: JobRecord | undefined,
): FailureEntry[] {
  const history: FailureEntry[] = [...(prior?.history ?? delivery.redrivenFrom?.history ?? [])];
  if (same?.state === 'executing') {
    history.push({
      at: same.updatedAt,
      errorClass: 'AttemptInterrupted',
      message: `attempt ${same.attempts} did not finish (timeout or crash)`,
      reason: 'INTERRUPTED',
      codeVersion: run.deps.codeVersion,
    });
  }
  return history;
}

/** Attempts used up (the last one timed out, or its dead letter could not be sent). */
function deadLetterExhausted(
  run: BatchRun,
  source: RecordSource,
  same: JobRecord | undefined,
): Promise<Settlement> {
  const { deps } = run;
  const last = source.history.at(-1);
  return deadLetter(run, {
    delivery: source.delivery,
    reason: same?.reason ?? 'ATTEMPTS_EXHAUSTED',
    error: same?.lastError ?? {
      class: last?.errorClass ?? 'AttemptsExhausted',
      message: last?.message ?? `${source.attempt} attempts`,
    },
    attempts: source.attempt,
    history: source.history,
    record: recordBase(source, deps, deps.now()),
  });
}

/**
 * Claims the job in the idempotency store. A completed duplicate is acknowledged unrun;
 * one running elsewhere is looked at again later; a store fault defers the delivery.
 */
async function claimOrDefer(
  run: BatchRun,
  log: Log,
  delivery: Delivery,
  message: JobMessage,
): Promise<Prepared | { readonly kind: 'claimed'; readonly claim: Ready['claim'] }> {
  const { deps, metrics } = run;
  const idempotency = deps.idempotency as NonNullable<typeof deps.idempotency>;
  try {
    const result = await idempotency.claim(message.jobId, deps.definition.name, deps.now());
    if (result.status === 'completed') {
      log.info('Duplicate of a completed job; acknowledged without running');
      metrics.count('duplicates');
      return settled({ kind: 'ack' });
    }
    if (result.status === 'in-progress') {
      const delaySeconds = lookAgainDelay(run, delivery, result.leaseEndsInSeconds);
      log.info('Job running elsewhere; looking again later', {
        leaseEndsInSeconds: result.leaseEndsInSeconds,
        delaySeconds,
      });
      metrics.count('deferred');
      return settled({ kind: 'retry', delaySeconds });
    }
    return { kind: 'claimed', claim: result };
  } catch (error) {
    return defer(run, log, delivery, error);
  }
}

/**
 * Usually a duplicate delivered while the first copy runs: the first time, look again soon;
 * after that, when the lease ends. Each look is a receive, and receives count towards the
 * queue's maxReceiveCount safety net, so looks stay few.
 */
function lookAgainDelay(run: BatchRun, delivery: Delivery, leaseEndsInSeconds: number): number {
  const { deps } = run;
  const leaseEnd = leaseEndsInSeconds + 1;
  const soon = Math.max(1, retryDelaySeconds(deps.definition.settings.backoff, 1, deps.random));
  return Math.min(
    MAX_RETRY_DELAY_SECONDS,
    delivery.receiveCount > 1 ? leaseEnd : Math.min(leaseEnd, soon),
  );
}

/** The delivery ready to run, with the context the job's code receives. */
function readyToRun(
  run: BatchRun,
  keys: Record<string, unknown>,
  state: Omit<Ready, 'kind' | 'recordSuccess' | 'context'>,
): Ready {
  const { deps } = run;
  const { settings } = deps.definition;
  const recordSuccess =
    state.tracked ||
    settings.successRecords === 'on' ||
    (settings.successRecords === 'sampled' && deps.random() < (settings.sampleRate ?? 0));
  const { message, attempt } = state;
  return {
    kind: 'ready',
    ...state,
    recordSuccess,
    context: {
      jobId: message.jobId,
      event: message.event,
      message,
      attempt,
      maxAttempts: settings.maxAttempts,
      log: withKeys(run.deps.log, { ...keys, attempt }),
    },
  };
}

/** Marks the attempt as started: if it never finishes, the next delivery counts it. */
async function markStarted(run: BatchRun, log: Log, ready: Ready): Promise<void> {
  const { deps } = run;
  await deps.records
    .put({ ...recordBase(ready, deps, deps.now()), state: 'executing' })
    .catch((error: unknown) => log.warn('Job record not written', { error: describeError(error) }));
}

/** Prepare-time faults (the table unreachable) are not the job's: put it back, uncounted. */
function defer(run: BatchRun, log: Log, delivery: Delivery, error: unknown): Prepared {
  const { deps, metrics } = run;
  log.warn('Job deferred: could not prepare it', { error: describeError(error) });
  metrics.count('deferred');
  const backoff = deps.definition.settings.backoff;
  const delaySeconds = retryDelaySeconds(backoff, delivery.receiveCount, deps.random);
  return { kind: 'settled', settlement: { kind: 'retry', delaySeconds } };
}

/**
 * A redriven dead letter stored in S3 is read back before anything else. If it cannot be
 * read (no S3 client configured, S3 failing), the message is left alone: it returns after
 * the visibility timeout and, failing again, SQS moves it back to the DLQ unchanged.
 */
async function withClaimCheckRead(
  run: BatchRun,
  delivery: Delivery,
): Promise<Delivery | undefined> {
  if (!delivery.claimCheck) return delivery;
  const { deps } = run;
  const keys = {
    job: deps.definition.name,
    messageId: delivery.messageId,
    claimCheck: delivery.claimCheck,
  };
  if (!deps.s3) {
    deps.log.error(
      'Claim-checked dead letter redriven, but no claim-check bucket is configured',
      keys,
    );
    return undefined;
  }
  try {
    return await resolveClaimCheck(delivery, deps.s3, deps.definition);
  } catch (error) {
    deps.log.warn('Claim-checked dead letter could not be read yet', keys, {
      error: describeError(error),
    });
    return undefined;
  }
}
