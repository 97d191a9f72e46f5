/**
 * The replay path: messages redriven from the ingest DLQ into the replay queue ("Start DLQ
 * redrive" in the console, custom destination) go through the same routing code as live
 * records. A record that fails again gets a fresh dead letter with the new error appended
 * to its history and is acknowledged; transient faults leave the message for SQS to retry.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { ClaimCheckMissingError, getClaimCheck } from '../queues/claim-check';
import {
  type ClaimCheck,
  type DeadLetter,
  type FailureEntry,
  isDeadLetter,
  type RawKafkaRecord,
} from '../queues/dead-letter';
import { describeError, RecordRejectedError, TransientError } from '../shared/errors';
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
        // Only S3 failing for now leaves the message for SQS to deliver again; anything else
        // is the message's own: it becomes a dead letter of its own rather than being dropped.
        if (error instanceof TransientError) {
          failures.push({ itemIdentifier: message.messageId });
          continue;
        }
        inputs.push(unreadableInput(message, error, deps));
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
    const { bucket, key, sha256 } = letter.claimCheck as unknown as Record<string, unknown>;
    if (typeof bucket !== 'string' || typeof key !== 'string' || typeof sha256 !== 'string') {
      throw new RecordRejectedError('NOT_A_DEAD_LETTER', 'Dead letter has a malformed claim check');
    }
    let text: string;
    try {
      text = await getClaimCheck(deps.s3, letter.claimCheck);
    } catch (error) {
      if (!(error instanceof ClaimCheckMissingError)) throw error;
      return claimCheckMissing(message, letter, error, deps);
    }
    const stored: unknown = JSON.parse(text);
    if (!isDeadLetter(stored) || !stored.record) {
      throw new RecordRejectedError('NOT_A_DEAD_LETTER', 'Claim check does not hold a dead letter');
    }
    full = stored;
  }
  if (!isRawRecord(full.record)) {
    throw new RecordRejectedError('NOT_A_DEAD_LETTER', 'Dead letter has no well-formed record');
  }
  return {
    record: incomingFromRaw(full.record),
    previous: previousOf(full, deps),
  };
}

/** Earliest failures kept from a dead letter's history (its newest are always kept). */
const MAX_HISTORY = 50;

/**
 * The failures a dead letter says came before: only well-formed entries, strings clipped,
 * at most {@link MAX_HISTORY} — a letter is data from a queue anyone may write to, and its
 * history is written into the next dead letter.
 */
function previousOf(letter: DeadLetter, deps: RouterDeps): RouterInput['previous'] {
  const text = (value: unknown, max = 1024): string | undefined =>
    typeof value === 'string' ? value.slice(0, max) : undefined;
  const history: FailureEntry[] = [];
  const entries: unknown[] = Array.isArray(letter.history)
    ? letter.history.slice(-MAX_HISTORY)
    : [];
  for (const entry of entries) {
    if (typeof entry !== 'object' || entry === null) continue;
    const e = entry as Record<string, unknown>;
    const path = text(e.path);
    history.push({
      at: text(e.at, 64) ?? '',
      errorClass: text(e.errorClass, 256) ?? '',
      message: text(e.message) ?? '',
      reason: text(e.reason, 64) ?? '',
      codeVersion: text(e.codeVersion, 128) ?? '',
      ...(path !== undefined ? { path } : {}),
    });
  }
  const firstFailedAt = text(letter.firstFailedAt, 64) ?? deps.now().toISOString();
  return { history, firstFailedAt };
}

function isRawRecord(record: unknown): record is RawKafkaRecord {
  const r = record as Partial<RawKafkaRecord> | null | undefined;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.topic === 'string' &&
    Number.isSafeInteger(r.partition) &&
    Number.isSafeInteger(r.offset) &&
    typeof r.timestamp === 'number' &&
    typeof r.timestampType === 'string' &&
    (r.key === null || typeof r.key === 'string') &&
    typeof r.value === 'string' &&
    Array.isArray(r.headers) &&
    r.headers.every(
      (h) =>
        typeof h === 'object' &&
        h !== null &&
        typeof h.name === 'string' &&
        typeof h.value === 'string',
    )
  );
}

/** A synthetic record holding the message body, so a dead letter of it keeps the body. */
function bodyRecord(message: SQSRecord): RouterInput['record'] {
  return {
    topic: 'sluice.replay',
    partition: 0,
    offset: 0,
    timestamp: Number(message.attributes?.SentTimestamp ?? 0) || 0,
    timestampType: 'LOG_APPEND_TIME',
    key: Buffer.from(message.messageId).toString('base64'),
    value: Buffer.from(message.body).toString('base64'),
    headers: [],
  };
}

/**
 * A pointer letter whose claim check is gone: dead-lettered again as CLAIM_CHECK_MISSING,
 * keeping the pointer (and the event identity), its history extended — not as a synthetic
 * record that would read as an invalid envelope.
 */
function claimCheckMissing(
  message: SQSRecord,
  letter: DeadLetter,
  error: ClaimCheckMissingError,
  deps: RouterDeps,
): RouterInput {
  // Both come from a message anyone may have written: only their well-typed fields are kept.
  const pointer = (letter.claimCheck ?? {}) as Partial<Record<keyof ClaimCheck, unknown>>;
  const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, 1024) : '');
  const claimCheck: ClaimCheck = {
    bucket: text(pointer.bucket),
    key: text(pointer.key),
    bytes: typeof pointer.bytes === 'number' ? pointer.bytes : 0,
    sha256: text(pointer.sha256),
  };
  const said = (letter.event ?? {}) as Record<string, unknown>;
  const event: NonNullable<DeadLetter['event']> = {};
  for (const name of ['id', 'source', 'type'] as const) {
    if (typeof said[name] === 'string') event[name] = said[name];
  }
  if (typeof said.version === 'number') event.version = said.version;
  return {
    record: bodyRecord(message),
    previous: previousOf(letter, deps),
    rejected: new RecordRejectedError('CLAIM_CHECK_MISSING', error.message),
    pointer: { claimCheck, event },
  };
}

/**
 * A message that is not a replayable dead letter becomes a synthetic record whose value is
 * the message body, dead-lettered again with the body intact and its own reason.
 */
function unreadableInput(message: SQSRecord, error: unknown, deps: RouterDeps): RouterInput {
  const described = describeError(error);
  const rejected =
    error instanceof RecordRejectedError
      ? error
      : new RecordRejectedError('NOT_A_DEAD_LETTER', `${described.class}: ${described.message}`);
  const at = deps.now().toISOString();
  return {
    record: bodyRecord(message),
    previous: { history: [], firstFailedAt: at },
    rejected,
  };
}
