/**
 * The synchronous half of routing: decode, parse, validate and upcast each record, then
 * build one job message per route. No I/O here, so it is cheap to test exhaustively.
 */
import type { CloudEvent } from '../events/envelope';
import type { EventIdentity, EventParser } from '../events/parse-event';
import { type JobMessage, jobIdOf, jobMessageSerializer } from '../jobs/job-message';
import type { FailureEntry } from '../shared/dead-letter';
import { RecordRejectedError } from '../shared/errors';
import { type OutgoingMessage, sqsMessageBytes, sqsSafeJson } from '../shared/sqs-batch-sender';
import type { JobName, Routes } from '../topology/topology';
import { decodeKafkaRecord, type IncomingKafkaRecord } from './kafka-record';

/** A record to route, with its earlier failures when it is replayed from a dead letter. */
export interface RouterInput {
  record: IncomingKafkaRecord;
  previous?: { history: FailureEntry[]; firstFailedAt: string };
}

/** A job message on its way to a queue, tied back to the record that produced it. */
export interface PlannedJob extends OutgoingMessage {
  readonly input: number;
  readonly job: JobName;
  readonly jobId: string;
}

export type Plan =
  | { kind: 'jobs'; event: CloudEvent; receivedVersion: number; jobs: PlannedJob[] }
  | { kind: 'skip'; event: CloudEvent; receivedVersion: number }
  | { kind: 'reject'; error: RecordRejectedError; identity: EventIdentity };

export interface PlanContext {
  readonly parser: EventParser;
  readonly routes: Routes;
  readonly queueUrlOf: (job: JobName) => string;
  readonly codeVersion: string;
  readonly enqueuedAt: string;
}

/** Jobs for an event type: its own routes, then the `*` routes, without repeats. */
export function jobsFor(routes: Routes, type: string): JobName[] {
  const own = routes[type] ?? [];
  const all = routes['*'] ?? [];
  if (all.length === 0) return [...own];
  return [...new Set([...own, ...all])];
}

const jobsByRoutes = new WeakMap<Routes, Map<string, readonly JobName[]>>();

/** {@link jobsFor}, computed once per routes object and event type. */
function cachedJobsFor(routes: Routes, type: string): readonly JobName[] {
  let byType = jobsByRoutes.get(routes);
  if (!byType) {
    byType = new Map();
    jobsByRoutes.set(routes, byType);
  }
  let jobs = byType.get(type);
  if (!jobs) {
    jobs = jobsFor(routes, type);
    byType.set(type, jobs);
  }
  return jobs;
}

const serializers = new WeakMap<PlanContext, ReturnType<typeof jobMessageSerializer>>();

function serializerOf(context: PlanContext): ReturnType<typeof jobMessageSerializer> {
  let serializer = serializers.get(context);
  if (!serializer) {
    serializer = jobMessageSerializer(context.enqueuedAt, context.codeVersion);
    serializers.set(context, serializer);
  }
  return serializer;
}

/**
 * Plans one record. Never throws: every failure becomes a `reject` plan with its reason.
 *
 * @example
 * ```ts
 * const plan = planRecord({ record }, 0, context);
 * if (plan.kind === 'jobs') console.log(plan.jobs.map((j) => j.job));
 * ```
 */
export function planRecord(input: RouterInput, index: number, context: PlanContext): Plan {
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

  const { event, receivedVersion } = parsed;
  const jobNames = cachedJobsFor(context.routes, event.type);
  if (jobNames.length === 0) return { kind: 'skip', event, receivedVersion };

  const record = input.record;
  const provenance: JobMessage['provenance'] = {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    key: decoded.key,
  };
  const provenanceJson = sqsSafeJson(JSON.stringify(provenance));
  const eventJson = sqsSafeJson(parsed.json ?? JSON.stringify(event));
  const jobs = jobNames.map((job): PlannedJob => {
    const jobId = jobIdOf(event.source, event.id, job);
    const body = serializerOf(context)(jobId, job, provenanceJson, eventJson);
    const attributes = { job, eventType: event.type };
    return {
      input: index,
      job,
      jobId,
      queueUrl: context.queueUrlOf(job),
      body,
      attributes,
      bytes: sqsMessageBytes(body, attributes),
    };
  });
  return { kind: 'jobs', event, receivedVersion, jobs };
}
