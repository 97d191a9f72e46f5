/**
 * Sends a job's dead letter to its DLQ, then records it as dead. If the DLQ cannot be
 * written the message is not acknowledged, and its record is marked so the next delivery
 * dead-letters it again without re-running the job.
 */
import { type MessageAttributeValue, SendMessageCommand } from '@aws-sdk/client-sqs';
import { putClaimCheck } from '../../queues/claim-check';
import type { DeadLetter, FailureEntry } from '../../queues/dead-letter';
import { sqsMessageBytes, sqsSafeJson } from '../../queues/sqs-batch-sender';
import { describeError } from '../../shared/errors';
import type { JobRecord } from '../stores/job-records';
import type { Delivery } from './delivery';
import { jobDeadLetter, jobDeadLetterAttributes } from './job-dead-letter';
import type { BatchRun, Settlement } from './run-types';

export interface DeadLetterRequest {
  readonly delivery: Delivery;
  readonly reason: string;
  readonly error: { class: string; message: string };
  /** Attempts counted, including the failed one (0 when the job never ran). */
  readonly attempts: number;
  readonly history: readonly FailureEntry[];
  /** The record to write as `dead` (absent when the body had no job id). */
  readonly record?: Omit<JobRecord, 'state'>;
}

export async function deadLetter(run: BatchRun, request: DeadLetterRequest): Promise<Settlement> {
  const { deps, metrics } = run;
  const { definition, config } = deps;
  const now = deps.now();
  const letter = jobDeadLetter({
    job: definition.name,
    delivery: request.delivery,
    reason: request.reason,
    error: request.error,
    attempts: request.attempts,
    maxAttempts: definition.settings.maxAttempts,
    history: request.history,
    codeVersion: deps.codeVersion,
    at: now,
  });
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(jobDeadLetterAttributes(letter))) {
    attributes[name] = { DataType: 'String', StringValue: value };
  }
  const keys = {
    jobId: letter.job?.jobId,
    correlation_id: letter.event?.id,
    messageId: request.delivery.messageId,
  };
  const record: JobRecord | undefined = request.record && {
    ...request.record,
    attempts: request.attempts,
    history: letter.history,
    firstFailedAt: letter.firstFailedAt,
    lastFailedAt: letter.lastFailedAt,
    lastError: request.error,
    reason: request.reason,
    updatedAt: now.toISOString(),
    state: 'dead',
  };
  try {
    const body = await deadLetterBody(run, letter, attributes);
    await deps.sqs.send(
      new SendMessageCommand({
        QueueUrl: config.dlqUrl,
        MessageBody: body,
        MessageAttributes: attributes,
      }),
    );
  } catch (error) {
    deps.log.error('Job dead letter could not be sent; the message stays', keys, {
      error: describeError(error),
    });
    // Attempts at the maximum: the next delivery dead-letters again instead of re-running.
    if (record) {
      const pending = { ...record, state: 'retryable' as const };
      pending.attempts = Math.max(record.attempts, definition.settings.maxAttempts);
      await deps.records.put(pending).catch(() => undefined);
    }
    return { kind: 'unsettled' };
  }
  metrics.count('deadLettered', request.reason);
  if (request.attempts > 0) metrics.attempts(request.attempts);
  deps.log.error('Job dead-lettered', keys, {
    reason: request.reason,
    error: request.error,
    attempts: request.attempts,
  });
  if (record) {
    await deps.records.put(record).catch((error: unknown) => {
      deps.log.warn('Job record not written', keys, { error: describeError(error) });
    });
  }
  return { kind: 'ack' };
}

/**
 * The DLQ message body: the letter itself, or — when it would exceed the SQS limit (a job
 * message near 1 MiB plus the failure history) — a pointer letter whose `claimCheck` names
 * the whole letter stored in S3. Adds the `claimCheck` attribute in that case.
 */
async function deadLetterBody(
  run: BatchRun,
  letter: DeadLetter,
  attributes: Record<string, MessageAttributeValue>,
): Promise<string> {
  const { deps } = run;
  const body = sqsSafeJson(JSON.stringify(letter));
  const flat = Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [name, value.StringValue ?? '']),
  );
  const bucket = deps.config.claimCheckBucket;
  if (sqsMessageBytes(body, flat) <= deps.config.maxMessageBytes || !deps.s3 || !bucket) {
    return body;
  }
  const id = letter.job?.jobId ?? letter.job?.messageId ?? 'unknown';
  const key = `job/${deps.definition.name}/${id}/${letter.lastFailedAt}.json`;
  const claimCheck = await putClaimCheck(deps.s3, bucket, key, body);
  attributes.claimCheck = { DataType: 'String', StringValue: 'true' };
  const pointer: DeadLetter = { ...letter, claimCheck };
  if (letter.job) {
    const { message: _message, body: _body, ...job } = letter.job;
    pointer.job = job;
  }
  return sqsSafeJson(JSON.stringify(pointer));
}
