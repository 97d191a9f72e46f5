/**
 * Judges what the router left in the in-memory SQS and S3 against what each generated
 * record required. Everything is matched per record by (topic, partition, offset), never
 * by counts, so a missing message cannot hide behind an extra one.
 */

import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import type { CloudEvent } from '../../../functions/events/envelope';
import {
  DEAD_LETTER_KIND,
  type DeadLetter,
  type RawKafkaRecord,
} from '../../../functions/queues/dead-letter';
import { JOB_MESSAGE_KIND, type JobMessage, jobIdOf } from '../../../functions/queues/job-message';
import { readJobPack } from '../../../functions/queues/job-pack';
import { jobQueueUrl, type RouterConfig } from '../../../functions/router/config';
import type { JobName, RouteKey, Routes } from '../../../functions/topology/topology';
import { JOB_NAMES, JOBS } from '../../../functions/workers/jobs';
import { type GeneratedRecord, sqsJsonBytes } from './records';
import type { PropertySink, SqsCall } from './sink';

/** How a record ended, as far as the queues show. */
export type Handling = 'routed' | 'skipped' | 'dead-lettered' | 'unhandled';

export interface OracleContext {
  readonly config: Pick<
    RouterConfig,
    'queueUrl' | 'ingestDlqUrl' | 'claimCheckBucket' | 'maxMessageBytes'
  >;
  readonly routes: Routes;
  readonly codeVersion: string;
  readonly enqueuedAt: string;
  /** Lambda delivered the batch more than once: a job may be enqueued more than once. */
  readonly redelivered?: boolean;
}

export interface Verdict {
  /** Dead letters stored per record, by index. */
  letterCounts: number[];
  /** Per record, in the order of the batch. */
  handling: Handling[];
  /** Reason of each dead-lettered record, by index: the records in the ingest DLQ. */
  deadLettered: Map<number, string>;
  /** How many dead letters went through the claim check. */
  claimChecks: number;
  /** Everything that contradicts the contract, one line each. */
  problems: string[];
}

/**
 * How far the size estimate of a job message may be off: the upcast of ITEM_SOLD v1 adds
 * 23 bytes. Within this margin of the limit, either routing or JOB_REJECTED is right.
 */
const SIZE_MARGIN = 32;

/** The jobs of a type, as the routes table documents them: its own plus `*`, once each. */
export function expectedJobs(routes: Routes, type: string): JobName[] {
  return [...new Set([...(routes[type as RouteKey] ?? []), ...(routes['*'] ?? [])])];
}

/** Size SQS counts: UTF-8 body plus, per attribute, name, "String" and value. */
export function sqsBytes(body: string, attributes: Readonly<Record<string, string>>): number {
  let bytes = Buffer.byteLength(body);
  for (const [name, value] of Object.entries(attributes)) {
    bytes += Buffer.byteLength(name) + 'String'.length + Buffer.byteLength(value);
  }
  return bytes;
}

/** Property 3: every call is a batch SQS accepts. */
export function checkCalls(calls: readonly SqsCall[], maxBytes: number): string[] {
  const problems: string[] = [];
  calls.forEach((call, n) => {
    const sizes = call.entries.map((e) => sqsBytes(e.body, e.attributes));
    const total = sizes.reduce((a, b) => a + b, 0);
    if (call.entries.length < 1 || call.entries.length > 10) {
      problems.push(`call ${n} to ${call.queueUrl} has ${call.entries.length} entries`);
    }
    if (total > maxBytes) problems.push(`call ${n} has ${total} bytes > ${maxBytes}`);
  });
  return problems;
}

/** The key as provenance must show it: text when UTF-8, else the base64 as received. */
function provenanceKey(key: string | null | undefined): string | null {
  if (key === undefined || key === null) return null;
  const bytes = Buffer.from(key, 'base64');
  return isUtf8(bytes) ? bytes.toString('utf8') : key;
}

function rawHeaders(record: GeneratedRecord['record']): RawKafkaRecord['headers'] {
  return (record.headers ?? []).flatMap((header) =>
    Object.entries(header).map(([name, bytes]) => ({
      name,
      value: Buffer.from(bytes ?? []).toString('base64'),
    })),
  );
}

const coordinates = (r: { topic: string; partition: number; offset: number }): string =>
  `${r.topic}/${r.partition}/${r.offset}`;

type SizeClass = 'fits' | 'exceeds' | 'either';

/**
 * Whether the job messages of a valid event must fit in SQS, must not, or may go either
 * way. Estimated independently of the router: the job frame with a placeholder event,
 * plus the event's own size.
 */
function sizeClass(
  generated: GeneratedRecord,
  jobs: readonly JobName[],
  context: OracleContext,
): SizeClass {
  const { record, expect } = generated;
  if (expect.kind !== 'event') return 'either';
  const estimates = jobs.map((job) => {
    const frame = JSON.stringify({
      kind: JOB_MESSAGE_KIND,
      v: 1,
      jobId: '0'.repeat(32),
      job,
      enqueuedAt: context.enqueuedAt,
      routerVersion: context.codeVersion,
      provenance: {
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        timestamp: record.timestamp,
        key: provenanceKey(record.key),
      },
      event: 0,
    });
    const placeholder = 1; // the "0" standing for the event
    const attributes = sqsBytes('', { job, eventType: expect.type });
    return sqsJsonBytes(frame) - placeholder + expect.eventBytes + attributes;
  });
  const max = context.config.maxMessageBytes;
  if (estimates.every((bytes) => bytes + SIZE_MARGIN <= max)) return 'fits';
  if (estimates.some((bytes) => bytes - SIZE_MARGIN > max)) return 'exceeds';
  return 'either';
}

/** Reads every stored message back and judges each record. */
export function judge(
  records: readonly GeneratedRecord[],
  sink: PropertySink,
  context: OracleContext,
): Verdict {
  const problems: string[] = [];
  const byCoordinates = new Map<string, number>();
  records.forEach((r, i) => {
    byCoordinates.set(coordinates(r.record), i);
  });
  const jobByQueue = new Map<string, JobName>(
    JOB_NAMES.map((job) => [jobQueueUrl(context.config, job), job]),
  );
  const jobsOf = records.map(() => new Map<JobName, number>());
  const lettersOf = records.map(() => [] as DeadLetter[]);
  const idOwners = new Map<string, string>();
  const describe = (i: number) => {
    const r = records[i] as GeneratedRecord;
    return `${coordinates(r.record)} (${r.label})`;
  };

  for (const message of sink.stored) {
    if (message.queueUrl === context.config.ingestDlqUrl) {
      const letter = readDeadLetter(message.body, message.attributes, sink, context, problems);
      const raw = letter?.record;
      if (!letter || !raw) continue;
      const index = byCoordinates.get(coordinates(raw));
      if (index === undefined) {
        problems.push(`dead letter for a record not in the batch: ${coordinates(raw)}`);
        continue;
      }
      checkRawRecord(raw, records[index] as GeneratedRecord, describe(index), problems);
      lettersOf[index]?.push(letter);
      continue;
    }
    const job = jobByQueue.get(message.queueUrl);
    if (job === undefined) {
      problems.push(`message on a queue nobody reads: ${message.queueUrl}`);
      continue;
    }
    // A pack (a job with jobsPerMessage) holds jobs of one partition, each checked as a message.
    const pack = readJobPack(message.body);
    const packed = pack !== undefined;
    if (packed && (JOBS[job].settings.jobsPerMessage ?? 1) <= 1) {
      problems.push(`a pack on the queue of ${job}, whose jobs are not packed`);
    }
    if (pack && pack.jobs.length > (JOBS[job].settings.jobsPerMessage ?? 1)) {
      problems.push(`a pack of ${pack.jobs.length} jobs of ${job}`);
    }
    const bodies = (pack?.jobs ?? [JSON.parse(message.body)]) as JobMessage<CloudEvent>[];
    if (new Set(bodies.map((b) => `${b.provenance?.topic}/${b.provenance?.partition}`)).size > 1) {
      problems.push(`a pack of ${job} holds jobs of several partitions`);
    }
    for (const body of bodies) {
      const index = byCoordinates.get(coordinates(body.provenance));
      if (index === undefined) {
        problems.push(`job ${job} for a record not in the batch: ${coordinates(body.provenance)}`);
        continue;
      }
      const generated = records[index] as GeneratedRecord;
      const what = describe(index);
      const expect = generated.expect;
      if (expect.kind !== 'event') {
        problems.push(`${what}: invalid record routed to ${job}`);
        continue;
      }
      if (!expectedJobs(context.routes, expect.type).includes(job)) {
        problems.push(`${what}: ${expect.type} routed to ${job}, which its route does not name`);
      }
      // jobIdOf is the oracle for ids, so also check it separates what it must.
      const identity = `${expect.source}\n${expect.id}\n${job}`;
      const owner = idOwners.get(body.jobId) ?? identity;
      idOwners.set(body.jobId, owner);
      if (owner !== identity) problems.push(`${what}: job id ${body.jobId} also names ${owner}`);
      const seen = jobsOf[index] as Map<JobName, number>;
      seen.set(job, (seen.get(job) ?? 0) + 1);
      const wanted = {
        kind: JOB_MESSAGE_KIND,
        v: 1,
        job,
        jobId: jobIdOf(expect.source, expect.id, job),
        enqueuedAt: context.enqueuedAt,
        routerVersion: context.codeVersion,
        provenance: {
          topic: generated.record.topic,
          partition: generated.record.partition,
          offset: generated.record.offset,
          timestamp: generated.record.timestamp,
          key: provenanceKey(generated.record.key),
        },
        // The whole event, data included, compared as JSON values.
        event: canonical(expect.event),
        // A pack keeps the job's name; each job's event says its type.
        attributes: packed ? { job } : { job, eventType: expect.type },
      };
      const got = {
        kind: body.kind,
        v: body.v,
        job: body.job,
        jobId: body.jobId,
        enqueuedAt: body.enqueuedAt,
        routerVersion: body.routerVersion,
        provenance: body.provenance,
        event: canonical(body.event),
        attributes: message.attributes,
      };
      if (JSON.stringify(got) !== JSON.stringify(wanted)) {
        problems.push(
          `${what}: job message ${JSON.stringify(got)} should be ${JSON.stringify(wanted)}`,
        );
      }
    }
  }

  const handling = records.map((generated, index): Handling => {
    const what = describe(index);
    const jobs = jobsOf[index] as Map<JobName, number>;
    const letters = lettersOf[index] as DeadLetter[];
    for (const [job, count] of jobs) {
      if (count > 1 && !context.redelivered) {
        problems.push(`${what}: ${count} messages for job ${job}`);
      }
    }
    // More than one dead letter is judged by the caller, who knows the ledger's faults.
    const partly = letters[0]?.routing;
    if (letters.length > 0 && jobs.size > 0) {
      // Only JOB_REJECTED after some jobs were accepted, and the letter says which.
      const enqueued = [...(partly?.enqueued ?? [])].sort();
      if (letters[0]?.reason !== 'JOB_REJECTED' || !partly) {
        problems.push(
          `${what}: dead-lettered (${letters[0]?.reason}) and also routed to ${[...jobs.keys()].join(', ')}`,
        );
      } else if (JSON.stringify(enqueued) !== JSON.stringify([...jobs.keys()].sort())) {
        problems.push(
          `${what}: letter says enqueued ${enqueued.join(', ')}, queues hold ${[...jobs.keys()].join(', ')}`,
        );
      }
    }
    const expect = generated.expect;
    const letter = letters[0];
    if (expect.kind === 'invalid') {
      if (letter && !expect.reasons.includes(letter.reason as never)) {
        problems.push(
          `${what}: dead-lettered as ${letter.reason}, expected ${expect.reasons.join('|')}`,
        );
      }
      return letter ? 'dead-lettered' : 'unhandled';
    }
    const wanted = expectedJobs(context.routes, expect.type);
    const size = sizeClass(generated, wanted, context);
    if (letter) {
      // A job its queue refused (the sink's rejectQueues) makes JOB_REJECTED right at any size.
      const refused = letter.error.message.includes('InvalidParameterValue');
      if (
        wanted.length === 0 ||
        letter.reason !== 'JOB_REJECTED' ||
        (size === 'fits' && !refused)
      ) {
        problems.push(
          `${what}: valid ${expect.type} dead-lettered as ${letter.reason}: ${letter.error.message}`,
        );
      }
      return 'dead-lettered';
    }
    if (wanted.length === 0) return 'skipped';
    if (wanted.every((job) => jobs.has(job))) {
      if (size === 'exceeds') problems.push(`${what}: routed though its job cannot fit in SQS`);
      return 'routed';
    }
    return 'unhandled';
  });

  const letterCounts = lettersOf.map((letters) => letters.length);
  const deadLettered = new Map<number, string>();
  lettersOf.forEach((letters, i) => {
    if (letters[0]) deadLettered.set(i, String(letters[0].reason));
  });
  const claimChecks = sink
    .messagesOn(context.config.ingestDlqUrl)
    .filter((m) => m.attributes.claimCheck === 'true').length;
  return { handling, letterCounts, deadLettered, claimChecks, problems };
}

/** A JSON value with its object keys sorted, as text: equal values, equal text. */
function canonical(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (typeof v !== 'object' || v === null) return v;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) {
      Object.defineProperty(sorted, key, {
        value: sort((v as Record<string, unknown>)[key]),
        enumerable: true,
      });
    }
    return sorted;
  };
  return JSON.stringify(sort(JSON.parse(JSON.stringify(value))));
}

/** Parses a dead-letter message, following its claim check to S3. */
function readDeadLetter(
  body: string,
  attributes: Record<string, string>,
  sink: PropertySink,
  context: OracleContext,
  problems: string[],
): DeadLetter | undefined {
  const letter = JSON.parse(body) as DeadLetter;
  if (letter.kind !== DEAD_LETTER_KIND || letter.v !== 1 || letter.stage !== 'ingest') {
    problems.push(`not an ingest dead letter: ${body.slice(0, 200)}`);
    return undefined;
  }
  if (attributes.stage !== 'ingest' || attributes.reason !== letter.reason) {
    problems.push(`dead letter attributes ${JSON.stringify(attributes)} do not match its body`);
  }
  if (letter.history.length !== 1 || letter.history[0]?.reason !== letter.reason) {
    problems.push(`dead letter history ${JSON.stringify(letter.history)} is not this one failure`);
  }
  const claimCheck = letter.claimCheck;
  if (!claimCheck) {
    if (attributes.claimCheck !== undefined)
      problems.push('inline dead letter flagged as claim check');
    if (!letter.record) problems.push('dead letter without record or claim check');
    return letter;
  }
  if (attributes.claimCheck !== 'true') problems.push('claim-check dead letter not flagged');
  if (letter.record) problems.push('claim-check dead letter also carries the record');
  const stored = sink.objects.get(`${claimCheck.bucket}/${claimCheck.key}`);
  if (claimCheck.bucket !== context.config.claimCheckBucket || stored === undefined) {
    problems.push(`claim check s3://${claimCheck.bucket}/${claimCheck.key} was not stored`);
    return undefined;
  }
  const sha256 = createHash('sha256').update(stored, 'utf8').digest('hex');
  if (sha256 !== claimCheck.sha256 || Buffer.byteLength(stored) !== claimCheck.bytes) {
    problems.push(
      `claim check s3://${claimCheck.bucket}/${claimCheck.key} does not match its pointer`,
    );
  }
  const full = JSON.parse(stored) as DeadLetter;
  if (full.reason !== letter.reason) problems.push('claim-checked letter has another reason');
  const { claimCheck: _flag, ...inlineAttributes } = attributes;
  if (sqsBytes(stored, inlineAttributes) <= context.config.maxMessageBytes) {
    problems.push(`claim check for a dead letter that fits in SQS: ${claimCheck.key}`);
  }
  return full;
}

/** The dead letter's copy of the record must be the record, byte for byte. */
function checkRawRecord(
  raw: RawKafkaRecord,
  generated: GeneratedRecord,
  what: string,
  problems: string[],
): void {
  const { record } = generated;
  const wanted: RawKafkaRecord = {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    timestampType: record.timestampType,
    key: record.key ?? null,
    value: record.value ?? '',
    headers: rawHeaders(record),
  };
  const got: RawKafkaRecord = {
    topic: raw.topic,
    partition: raw.partition,
    offset: raw.offset,
    timestamp: raw.timestamp,
    timestampType: raw.timestampType,
    key: raw.key,
    value: raw.value,
    headers: raw.headers,
  };
  if (JSON.stringify(got) !== JSON.stringify(wanted)) {
    problems.push(
      `${what}: dead letter record ${JSON.stringify(got)} should be ${JSON.stringify(wanted)}`,
    );
  }
}
