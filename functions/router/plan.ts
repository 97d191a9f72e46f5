/**
 * The synchronous half of routing: decode, parse, validate and upcast each record, then
 * build one job message per route. No I/O here, so it is cheap to test exhaustively.
 */
import type { EventIdentity, EventParser } from '../events/parse-event';
import type { DeadLetter, FailureEntry } from '../queues/dead-letter';
import {
  type JobMessage,
  type JobMessageWriter,
  jobIdFromPrefix,
  jobIdPrefix,
} from '../queues/job-message';
import { type OutgoingMessage, sqsMessageBytes, sqsSafeJson } from '../queues/sqs-batch-sender';
import { describeError, RecordRejectedError } from '../shared/errors';
import type { JobName, RouteKey, Routes } from '../topology/topology';
import { decodeKafkaRecord, type IncomingKafkaRecord } from './kafka-record';

/** A record to route, with its earlier failures when it is replayed from a dead letter. */
export interface RouterInput {
  record: IncomingKafkaRecord;
  previous?: { history: FailureEntry[]; firstFailedAt: string };
  /** Replay: a message that cannot be replayed, dead-lettered again for this reason. */
  rejected?: RecordRejectedError;
  /**
   * Replay: the pointer letter whose claim check could not be read; its new dead letter
   * keeps the pointer (and the event identity) instead of a record.
   */
  pointer?: Pick<DeadLetter, 'claimCheck' | 'event'>;
}

/** A job message on its way to a queue, tied back to the record that produced it. */
export interface PlannedJob extends OutgoingMessage {
  readonly input: number;
  readonly job: JobName;
  readonly jobId: string;
}

/**
 * What to do with a record. Valid events keep only their identity (id, source, type and the
 * version received), not the parsed event: a batch's events would otherwise stay in memory
 * until every job is sent, and copying them from one GC generation to the next costs more
 * than parsing them did.
 */
export type Plan =
  | {
      kind: 'jobs';
      identity: Required<EventIdentity>;
      /** The jobs' names, in route order (an array shared by every event of the type). */
      jobs: readonly JobName[];
    }
  | { kind: 'skip'; identity: Required<EventIdentity> }
  | {
      kind: 'reject';
      error: RecordRejectedError;
      identity: EventIdentity;
      /** JOB_REJECTED after some of the record's jobs were accepted: which ones. */
      routing?: { enqueued: readonly JobName[]; rejected: readonly JobName[] };
    };

export interface PlanContext {
  readonly parser: EventParser;
  readonly routes: Routes;
  readonly queueUrlOf: (job: JobName) => string;
  /** Writes the job messages of one batch (its enqueue time and router version). */
  readonly jobMessages: JobMessageWriter;
}

/** Jobs for an event type: its own routes, then the `*` routes, without repeats. */
export function jobsFor(routes: Routes, type: string): JobName[] {
  // A type the registry does not know has no routes of its own: `undefined` here.
  const own = routes[type as RouteKey] ?? [];
  const all = routes['*'] ?? [];
  if (all.length === 0) return [...own];
  return [...new Set([...own, ...all])];
}

/** The jobs of an event type and their message attributes, the same for every event. */
interface TypeRoutes {
  readonly jobs: readonly JobName[];
  readonly routes: ReadonlyArray<{
    readonly job: JobName;
    readonly attributes: Readonly<Record<string, string>>;
    /** The attributes' share of the message size (see sqsMessageBytes). */
    readonly attributeBytes: number;
  }>;
}

const routesByTable = new WeakMap<Routes, Map<string, TypeRoutes>>();

/** {@link jobsFor} with attributes, computed once per routes object and event type. */
function typeRoutes(routes: Routes, type: string): TypeRoutes {
  let byType = routesByTable.get(routes);
  if (!byType) {
    byType = new Map();
    routesByTable.set(routes, byType);
  }
  let typed = byType.get(type);
  if (!typed) {
    // Only validated (registered) types get here, so the cache stays small.
    const jobs = Object.freeze(jobsFor(routes, type));
    typed = {
      jobs,
      routes: jobs.map((job) => {
        const attributes = Object.freeze({ job, eventType: type });
        return { job, attributes, attributeBytes: sqsMessageBytes('', attributes) };
      }),
    };
    byType.set(type, typed);
  }
  return typed;
}

/**
 * Plans one record. Total: it never throws. Every expected failure becomes a `reject` plan
 * with its reason; anything unexpected while the record is decoded, validated, upcast,
 * planned or serialised — a RangeError from a recursive step, a bug, a thrown non-Error —
 * becomes a `ROUTER_ERROR` rejection of this record alone, and none of its messages is kept.
 * A `jobs` plan's messages, one per job in route order, are appended to `messages`: the
 * plan itself stays small, as it is kept until the whole batch is sent.
 *
 * @example
 * ```ts
 * const messages: PlannedJob[] = [];
 * const plan = planRecord({ record }, 0, context, messages);
 * if (plan.kind === 'jobs') console.log(plan.jobs, messages.length);
 * ```
 */
export function planRecord(
  input: RouterInput,
  index: number,
  context: PlanContext,
  messages: PlannedJob[],
): Plan {
  const planned = messages.length;
  try {
    return planOrThrow(input, index, context, messages);
  } catch (error) {
    messages.length = planned;
    return routerError(error);
  }
}

/** The rejection of a record whose planning threw. */
function routerError(error: unknown): Plan {
  const { class: errorClass, message } = describeError(error);
  return {
    kind: 'reject',
    error: new RecordRejectedError('ROUTER_ERROR', `${errorClass}: ${message}`),
    identity: {},
  };
}

function planOrThrow(
  input: RouterInput,
  index: number,
  context: PlanContext,
  messages: PlannedJob[],
): Plan {
  if (input.rejected) {
    return { kind: 'reject', error: input.rejected, identity: input.pointer?.event ?? {} };
  }
  let decoded: ReturnType<typeof decodeKafkaRecord>;
  try {
    decoded = decodeKafkaRecord(input.record);
  } catch (error) {
    const rejected =
      error instanceof RecordRejectedError
        ? error
        : new RecordRejectedError('NOT_DECODABLE', `Undecodable record: ${String(error)}`);
    return { kind: 'reject', error: rejected, identity: {} };
  }
  const parsed = context.parser.parse(decoded.text, decoded.headers);
  if (!parsed.ok) return { kind: 'reject', error: parsed.error, identity: parsed.identity };

  const { event } = parsed;
  const identity = {
    id: event.id,
    source: event.source,
    type: event.type,
    version: parsed.receivedVersion,
  };
  const { jobs, routes } = typeRoutes(context.routes, event.type);
  if (jobs.length === 0) return { kind: 'skip', identity };

  const provenance = sqsSafe(provenanceJsonOf(input.record, decoded.key));
  const eventText = sqsSafe(parsed.json ?? JSON.stringify(event));
  const writer = context.jobMessages;
  const idPrefix = jobIdPrefix(event.source, event.id);
  for (const { job, attributes, attributeBytes } of routes) {
    const jobId = jobIdFromPrefix(idPrefix, job);
    messages.push({
      input: index,
      job,
      jobId,
      queueUrl: context.queueUrlOf(job),
      body: writer.body(jobId, job, provenance.json, eventText.json),
      attributes,
      bytes: writer.bytes(jobId, job, provenance.bytes, eventText.bytes) + attributeBytes,
    });
  }
  return { kind: 'jobs', identity, jobs };
}

/**
 * {@link sqsSafeJson} with the UTF-8 size of the result. ASCII text (its size is its length)
 * has nothing to escape, which spares most records the scan for U+FFFE and U+FFFF.
 */
function sqsSafe(json: string): { json: string; bytes: number } {
  const bytes = Buffer.byteLength(json);
  if (bytes === json.length) return { json, bytes };
  const safe = sqsSafeJson(json);
  return { json: safe, bytes: safe === json ? bytes : Buffer.byteLength(safe) };
}

/** Per topic: the start of its provenance JSON, up to the partition number. */
const provenanceHeads = new Map<string, string>();

/**
 * `JSON.stringify` of the job's provenance, written directly for the usual record (a
 * string topic, finite numbers) so no object is built per record; anything else goes
 * through `JSON.stringify` itself.
 */
function provenanceJsonOf(record: IncomingKafkaRecord, key: string | null): string {
  const { topic, partition, offset, timestamp } = record;
  if (
    typeof topic !== 'string' ||
    !Number.isFinite(partition) ||
    !Number.isFinite(offset) ||
    !Number.isFinite(timestamp)
  ) {
    const provenance: JobMessage['provenance'] = { topic, partition, offset, timestamp, key };
    return JSON.stringify(provenance);
  }
  let head = provenanceHeads.get(topic);
  if (head === undefined) {
    head = `{"topic":${JSON.stringify(topic)},"partition":`;
    // Topics are few; a record with an odd topic name must not grow this without bound.
    if (provenanceHeads.size < 1024) provenanceHeads.set(topic, head);
  }
  const keyJson = key === null ? 'null' : jsonString(key);
  return `${head}${partition},"offset":${offset},"timestamp":${timestamp},"key":${keyJson}}`;
}

/**
 * `JSON.stringify` of a string. A short key usually needs no escaping (no quote,
 * backslash, control character or surrogate): then it is only quoted, which is several
 * times cheaper than the general call.
 */
function jsonString(text: string): string {
  if (text.length > 64) return JSON.stringify(text);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) {
      return JSON.stringify(text);
    }
  }
  return `"${text}"`;
}
