/**
 * Builds the ingest dead letter of a record that can never be routed as it is: the complete
 * record, its provenance, the error and its history. A dead letter too large for one SQS
 * message is stored whole in S3 and the message carries the claim check instead.
 */
import { createHash } from 'node:crypto';
import { putClaimCheck } from '../queues/claim-check';
import { DEAD_LETTER_KIND, type DeadLetter, type FailureEntry } from '../queues/dead-letter';
import { type OutgoingMessage, sqsMessageBytes, sqsSafeJson } from '../queues/sqs-batch-sender';
import { METRICS } from '../topology/topology';
import { rawKafkaRecord } from './kafka-record';
import type { Plan, RouterInput } from './plan';
import type { RouterDeps } from './route-batch';

/** A dead-letter message, tied back to its input. */
export interface DeadLetterMessage extends OutgoingMessage {
  readonly input: number;
}

/**
 * The dead letter of a rejected record. Pure: no I/O.
 *
 * @example
 * ```ts
 * const letter = ingestDeadLetter(input, plan, { codeVersion: 'abc123', at: new Date(), knownVersions: {} });
 * letter.reason; // e.g. 'NOT_JSON'
 * ```
 */
export function ingestDeadLetter(
  input: RouterInput,
  plan: Extract<Plan, { kind: 'reject' }>,
  context: {
    codeVersion: string;
    at: Date;
    knownVersions: Record<string, number[]>;
    /** The dead letter's id (see ingestDeadLetterId), when the ledger guards it. */
    id?: string;
  },
): DeadLetter {
  const at = context.at.toISOString();
  const { error } = plan;
  // Producer-controlled text is bounded so the claim-check pointer always fits in SQS.
  const identity = Object.fromEntries(
    Object.entries(plan.identity).map(([k, v]) => [k, typeof v === 'string' ? clip(v, 256) : v]),
  );
  const message = clip(error.message, 1024);
  const { pointer } = input;
  const entry: FailureEntry = {
    at,
    errorClass: error.name,
    message,
    reason: error.reason,
    codeVersion: context.codeVersion,
    ...(error.path !== undefined ? { path: error.path } : {}),
  };
  const letter: DeadLetter = {
    kind: DEAD_LETTER_KIND,
    v: 1,
    ...(context.id !== undefined ? { id: context.id } : {}),
    stage: 'ingest',
    reason: error.reason,
    error: {
      class: error.name,
      message,
      ...(error.path !== undefined ? { path: error.path } : {}),
    },
    history: [...(input.previous?.history ?? []), entry],
    firstFailedAt: input.previous?.firstFailedAt ?? at,
    lastFailedAt: at,
    codeVersion: context.codeVersion,
    event: identity,
    knownVersions: context.knownVersions,
  };
  if (plan.routing) {
    letter.routing = { enqueued: [...plan.routing.enqueued], rejected: [...plan.routing.rejected] };
  }
  // A pointer whose claim check is gone keeps the pointer: the record is in the S3 object.
  if (pointer?.claimCheck) letter.claimCheck = pointer.claimCheck;
  else letter.record = rawKafkaRecord(input.record);
  return letter;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Message attributes: only what filtering and grouping need (SQS allows 10). */
export function deadLetterAttributes(letter: DeadLetter): Record<string, string> {
  const attributes: Record<string, string> = {
    stage: letter.stage,
    reason: String(letter.reason),
    codeVersion: letter.codeVersion,
  };
  const type = letter.event?.type;
  if (type !== undefined && /^[A-Z][A-Z0-9_]{0,63}$/.test(type)) attributes.eventType = type;
  return attributes;
}

/** The SQS message of a rejected record, claim-checking it to S3 when it is too large. */
export async function deadLetterMessage(
  input: RouterInput,
  index: number,
  plan: Extract<Plan, { kind: 'reject' }>,
  deps: RouterDeps,
  id?: string,
): Promise<DeadLetterMessage> {
  const letter = ingestDeadLetter(input, plan, {
    codeVersion: deps.codeVersion,
    at: deps.now(),
    knownVersions: deps.parser.registry.knownVersions(),
    ...(id !== undefined ? { id } : {}),
  });
  const attributes = deadLetterAttributes(letter);
  const queueUrl = deps.config.ingestDlqUrl;
  const body = sqsSafeJson(JSON.stringify(letter));
  const bytes = sqsMessageBytes(body, attributes);
  if (bytes <= deps.config.maxMessageBytes || letter.record === undefined)
    return { input: index, queueUrl, body, attributes, bytes };

  const { record, ...pointer } = letter;
  const digest = createHash('sha256').update(body).digest('hex').slice(0, 16);
  const key = `ingest/${encodeURIComponent(input.record.topic)}/${input.record.partition}/${input.record.offset}-${digest}.json`;
  const claimCheck = await putClaimCheck(deps.s3, deps.config.claimCheckBucket, key, body);
  deps.counter.count(METRICS.router.claimChecks);
  const small = sqsSafeJson(JSON.stringify({ ...pointer, claimCheck } satisfies DeadLetter));
  const smallAttributes = { ...attributes, claimCheck: 'true' };
  return {
    input: index,
    queueUrl,
    body: small,
    attributes: smallAttributes,
    bytes: sqsMessageBytes(small, smallAttributes),
  };
}
