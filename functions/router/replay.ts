/**
 * The replay path: messages redriven from the ingest DLQ into the replay queue ("Start DLQ
 * redrive" in the console, custom destination) go through the same routing code as live
 * records. A record that fails again gets a fresh dead letter with the new error appended
 * to its history and is acknowledged; transient faults leave the message for SQS to retry.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { getClaimCheck } from '../shared/claim-check';
import { type DeadLetter, isDeadLetter } from '../shared/dead-letter';
import { isTransient, RecordRejectedError } from '../shared/errors';
import { METRICS } from '../topology/topology';
import { incomingFromRaw } from './kafka-record';
import type { RouterInput } from './plan';
import { type RouterDeps, routeBatch } from './route-batch';

/**
 * Replays the dead letters in an SQS event.
 *
 * @returns the SQS partial batch response: messages to be delivered again.
 */
export async function handleReplayEvent(
  event: SQSEvent,
  deps: RouterDeps,
): Promise<SQSBatchResponse> {
  const inputs: RouterInput[] = [];
  const messageIds: string[] = [];
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  try {
    for (const message of event.Records) {
      try {
        inputs.push(await replayInput(message, deps));
        messageIds.push(message.messageId);
      } catch (error) {
        if (isTransient(error)) {
          failures.push({ itemIdentifier: message.messageId });
          continue;
        }
        // Not a dead letter we can replay (or its claim check is gone): keep it visible in
        // the DLQ as a dead letter of its own rather than dropping it.
        inputs.push(unreadableInput(message, error as Error, deps));
        messageIds.push(message.messageId);
      }
    }
    // No ledger: each message is acknowledged or not on its own, so none is sent twice.
    const outcomes = await routeBatch(inputs, deps);
    outcomes.forEach((outcome, index) => {
      if (outcome === 'pending') failures.push({ itemIdentifier: messageIds[index] as string });
    });
    deps.counter.count(METRICS.router.recordsReplayed, inputs.length);
    return { batchItemFailures: failures };
  } finally {
    deps.counter.publish();
  }
}

async function replayInput(message: SQSRecord, deps: RouterDeps): Promise<RouterInput> {
  let letter: unknown;
  try {
    letter = JSON.parse(message.body);
  } catch {
    throw new RecordRejectedError('NOT_A_DEAD_LETTER', 'Replay message body is not JSON');
  }
  if (!isDeadLetter(letter) || letter.stage !== 'ingest') {
    throw new RecordRejectedError(
      'NOT_A_DEAD_LETTER',
      'Replay message is not an ingest dead letter',
    );
  }
  let full: DeadLetter = letter;
  if (!letter.record && letter.claimCheck) {
    const stored: unknown = JSON.parse(await getClaimCheck(deps.s3, letter.claimCheck));
    if (!isDeadLetter(stored) || !stored.record) {
      throw new RecordRejectedError('NOT_A_DEAD_LETTER', 'Claim check does not hold a dead letter');
    }
    full = stored;
  }
  if (!full.record) throw new RecordRejectedError('NOT_A_DEAD_LETTER', 'Dead letter has no record');
  return {
    record: incomingFromRaw(full.record),
    previous: { history: full.history, firstFailedAt: full.firstFailedAt },
  };
}

/**
 * A message that is not a replayable dead letter becomes a synthetic record whose value is
 * the message body, so it is dead-lettered again with the body intact and the reason.
 */
function unreadableInput(message: SQSRecord, error: Error, deps: RouterDeps): RouterInput {
  const at = deps.now().toISOString();
  return {
    record: {
      topic: 'sluice.replay',
      partition: 0,
      offset: 0,
      timestamp: Number(message.attributes.SentTimestamp ?? 0),
      timestampType: 'LOG_APPEND_TIME',
      key: Buffer.from(message.messageId).toString('base64'),
      value: Buffer.from(message.body).toString('base64'),
      headers: [],
    },
    previous: {
      history: [
        {
          at,
          errorClass: error.name,
          message: error.message,
          reason: 'NOT_A_DEAD_LETTER',
          codeVersion: deps.codeVersion,
        },
      ],
      firstFailedAt: at,
    },
  };
}
