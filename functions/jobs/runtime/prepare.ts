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
import { describeError } from '../../shared/errors';
import type { Log } from '../../shared/telemetry';
import type { JobRecord } from '../stores/job-records';
import { deadLetter } from './dead-lettering';
import { type Delivery, resolveClaimCheck } from './delivery';
import { retryDelaySeconds } from './retry-schedule';
import { type BatchRun, type Prepared, type Ready, recordBase, withKeys } from './run-types';

export async function prepare(run: BatchRun, received: Delivery): Promise<Prepared> {
  const { deps, metrics } = run;
  const { settings } = deps.definition;
  // Only a redriven, claim-checked dead letter needs a read first: no await otherwise.
  const delivery = received.claimCheck ? await withClaimCheckRead(run, received) : received;
  if (!delivery) return { kind: 'settled', settlement: { kind: 'unsettled' } };
  const message = delivery.message;
  if (delivery.problem || !message) {
    const problem = delivery.problem ?? { reason: 'NOT_A_JOB', message: 'no job message' };
    const settlement = await deadLetter(run, {
      delivery,
      reason: problem.reason,
      error: { class: 'InvalidJobMessage', message: problem.message },
      attempts: 0,
      history: delivery.redrivenFrom?.history ?? [],
    });
    return { kind: 'settled', settlement };
  }
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
    return { kind: 'settled', settlement: { kind: 'ack' } };
  }
  const history: FailureEntry[] = [...(prior?.history ?? delivery.redrivenFrom?.history ?? [])];
  if (same?.state === 'executing') {
    history.push({
      at: same.updatedAt,
      errorClass: 'AttemptInterrupted',
      message: `attempt ${same.attempts} did not finish (timeout or crash)`,
      reason: 'INTERRUPTED',
      codeVersion: deps.codeVersion,
    });
  }
  const priorAttempts = same ? same.attempts : delivery.carriedAttempts;
  const firstFailedAt = history[0]?.at;

  if (priorAttempts >= settings.maxAttempts) {
    // Attempts used up (the last one timed out, or its dead letter could not be sent).
    const last = history.at(-1);
    const source = { delivery, message, attempt: priorAttempts, history, firstFailedAt };
    const settlement = await deadLetter(run, {
      delivery,
      reason: same?.reason ?? 'ATTEMPTS_EXHAUSTED',
      error: same?.lastError ?? {
        class: last?.errorClass ?? 'AttemptsExhausted',
        message: last?.message ?? `${priorAttempts} attempts`,
      },
      attempts: priorAttempts,
      history,
      record: recordBase(source, deps, deps.now()),
    });
    return { kind: 'settled', settlement };
  }

  let claim: Ready['claim'];
  if (deps.idempotency) {
    try {
      const result = await deps.idempotency.claim(message.jobId, deps.definition.name, deps.now());
      if (result.status === 'completed') {
        log.info('Duplicate of a completed job; acknowledged without running');
        metrics.count('duplicates');
        return { kind: 'settled', settlement: { kind: 'ack' } };
      }
      if (result.status === 'in-progress') {
        // Usually a duplicate delivered while the first copy runs: the first time, look again
        // soon; after that, when the lease ends. Each look is a receive, and receives count
        // towards the queue's maxReceiveCount safety net, so looks stay few.
        const leaseEnd = result.leaseEndsInSeconds + 1;
        const soon = Math.max(1, retryDelaySeconds(settings.backoff, 1, deps.random));
        const delaySeconds = Math.min(
          43_199,
          delivery.receiveCount > 1 ? leaseEnd : Math.min(leaseEnd, soon),
        );
        log.info('Job running elsewhere; looking again later', {
          leaseEndsInSeconds: result.leaseEndsInSeconds,
          delaySeconds,
        });
        metrics.count('deferred');
        return { kind: 'settled', settlement: { kind: 'retry', delaySeconds } };
      }
      claim = result;
    } catch (error) {
      return defer(run, log, delivery, error);
    }
  }

  const attempt = priorAttempts + 1;
  // A redriven dead letter has a `dead` record: its outcome now must replace that.
  const tracked = redelivered || delivery.redrivenFrom !== undefined;
  const recordSuccess =
    tracked ||
    settings.successRecords === 'on' ||
    (settings.successRecords === 'sampled' && deps.random() < (settings.sampleRate ?? 0));
  const ready: Ready = {
    kind: 'ready',
    delivery,
    message,
    attempt,
    history,
    firstFailedAt,
    claim,
    tracked,
    recordSuccess,
    context: {
      jobId: message.jobId,
      event: message.event,
      message,
      attempt,
      maxAttempts: settings.maxAttempts,
      log: withKeys(deps.log, { ...keys, attempt }),
    },
  };
  if (redelivered) {
    // Marks the attempt as started: if it never finishes, the next delivery counts it.
    await deps.records
      .put({ ...recordBase(ready, deps, deps.now()), state: 'executing' })
      .catch((error: unknown) =>
        log.warn('Job record not written', { error: describeError(error) }),
      );
  }
  return ready;
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
