/**
 * Test kit for the ops CLI against the local stack: run `sluice` in-process and collect what
 * it prints, provision a stage's queues, bucket and tables, seed dead letters through the
 * real router and job runtime, and consume a queue in the background as Lambda would.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { type Message, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { MSKRecord } from 'aws-lambda';
import { QueueDirectory } from '../../../cli/lib/queues';
import { run } from '../../../cli/program';
import { EventParser } from '../../../functions/events/parse-event';
import { defineJob } from '../../../functions/jobs/define-job';
import { DEFAULT_JOB_SETTINGS, jobDefinition } from '../../../functions/jobs/job-definition';
import type { JobContext } from '../../../functions/jobs/runtime/run-types';
import { JobRecords } from '../../../functions/jobs/stores/job-records';
import type { JobMessage } from '../../../functions/queues/job-message';
import type { MskRouterDeps } from '../../../functions/router/msk-batch';
import { handleMskEvent } from '../../../functions/router/msk-batch';
import { resourceName } from '../../../functions/topology/naming';
import { type JobName, TABLES } from '../../../functions/topology/topology';
import { localS3Options, provisionBucket, provisionQueues } from '../../../local/provision/queues';
import { provisionTables } from '../../../local/provision/tables';
import { applyLocalServiceEnv } from '../../../local/services/endpoints';
import { drainQueue } from '../../support/drain-queue';
import { deliver, type Handler, queueArn, receive } from '../../support/esm';
import { jobContainerDeps } from '../../support/job-container';
import { mskEvent } from '../../support/msk';
import { localRouterDeps } from '../../support/router';
import { uniqueStage } from '../../support/stage';

applyLocalServiceEnv();
export const sqs = new SQSClient({});
export const dynamodb = new DynamoDBClient({});
export const s3 = new S3Client(localS3Options);

export { uniqueStage };

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `sluice --local --stage <stage> …args` in-process. The arguments are a list, or a
 * command line split at white space (no quoting: for arguments without spaces).
 *
 * @example
 * ```ts
 * const result = await sluice(s.stage, `dlq redrive audit --canary ${CANARY} --json`);
 * ```
 */
export async function sluice(
  stage: string,
  args: readonly string[] | string,
  signal?: AbortSignal,
): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const argv = typeof args === 'string' ? args.trim().split(/\s+/) : args;
  const code = await run(['--local', '--stage', stage, ...argv], {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: process.env,
    ...(signal ? { signal } : {}),
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

export interface Stage {
  readonly stage: string;
  readonly urls: Map<string, string>;
  readonly queueUrlBase: string;
  readonly bucket: string;
  readonly url: (logical: string) => string;
}

/** Queues, claim-check bucket and tables of a stage, from the topology module. */
export async function provision(stage: string): Promise<Stage> {
  const [queues, bucket] = await Promise.all([
    provisionQueues(sqs, stage),
    provisionBucket(s3, stage),
    provisionTables(dynamodb, stage),
  ]);
  return {
    stage,
    urls: queues.urls,
    queueUrlBase: queues.queueUrlBase,
    bucket,
    url: (logical) => queues.urls.get(logical) as string,
  };
}

/** Router deps against the stage's real queues; `parser` lets a test deploy a "fix". */
export function routerDeps(s: Stage, parser = new EventParser()): MskRouterDeps {
  return localRouterDeps(
    { stage: s.stage, queueUrlBase: s.queueUrlBase, claimCheckBucket: s.bucket, sqs, s3 },
    parser,
  );
}

/** Routes MSK records through the real router: invalid ones land in the ingest DLQ. */
export async function routeRecords(s: Stage, records: readonly MSKRecord[]): Promise<void> {
  await handleMskEvent(mskEvent(records), routerDeps(s));
}

/**
 * A job handler built by the real job runtime, with fast retries, whose `perform` the test
 * controls (flip it to "deploy a fix").
 */
export function jobHandler(
  s: Stage,
  name: JobName,
  perform: (context: JobContext) => Promise<void>,
): Handler {
  const definition = jobDefinition({
    name,
    description: 'cli integration',
    eventTypes: ['*'],
    batch: false,
    access: {},
    settings: {
      ...DEFAULT_JOB_SETTINGS,
      maxAttempts: 2,
      backoff: { baseSeconds: 1, capSeconds: 1 },
      idempotency: 'natural',
    },
  });
  const deps = jobContainerDeps(
    definition,
    {
      stage: s.stage,
      sqs,
      dynamodb,
      provisioned: { queueUrlBase: s.queueUrlBase, claimCheckBucket: s.bucket },
    },
    { claimChecks: s3 },
  );
  return defineJob(definition, { perform }, deps);
}

/** A provisioned stage with a job's messages on their way to its DLQ. */
export interface FailingJobStage {
  readonly s: Stage;
  readonly queues: QueueDirectory;
  readonly records: JobRecords;
  /** Stops the job's "Lambda", which consumes its queue until then. */
  readonly stop: () => Promise<void>;
}

/**
 * Provisions a stage, sends `messages` to the queue of `job`, and starts that job's
 * "Lambda" (the real runtime running `perform`) for the whole file; with a failing
 * `perform` every message ends in the job's DLQ, ready for a redrive test.
 *
 * @example
 * ```ts
 * ({ s, queues, records, stop } = await failingJobStage('cnry', 'audit', messages, fail));
 * ```
 */
export async function failingJobStage(
  prefix: string,
  job: JobName,
  messages: readonly JobMessage[],
  perform: (context: JobContext) => Promise<void>,
): Promise<FailingJobStage> {
  const s = await provision(uniqueStage(prefix));
  const queues = new QueueDirectory(sqs, s.stage);
  const records = new JobRecords(dynamodb, resourceName(s.stage, TABLES.jobRecords.name), 3600);
  const handler = jobHandler(s, job, perform);
  for (const message of messages) {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: s.url(`job-${job}`),
        MessageBody: JSON.stringify(message),
      }),
    );
  }
  return { s, queues, records, stop: consumeInBackground(s.url(`job-${job}`), handler) };
}

/**
 * Consumes `queueUrl` in the background, as an event source mapping would, until stopped.
 *
 * @returns stop(): resolves when the loop has finished its current batch
 */
export function consumeInBackground(queueUrl: string, handler: Handler): () => Promise<void> {
  let stopped = false;
  const loop = (async () => {
    const arn = await queueArn(sqs, queueUrl);
    while (!stopped) {
      const messages = await receive(sqs, queueUrl);
      if (messages.length > 0) await deliver(sqs, queueUrl, arn, handler, messages);
    }
  })();
  return async () => {
    stopped = true;
    await loop;
  };
}

/** Receives and deletes everything in a queue until it has been empty twice in a row. */
export const drain = (queueUrl: string): Promise<Message[]> => drainQueue(sqs, queueUrl);

/** Polls until `check` holds or `timeoutMs` passes; returns whether it held. */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs = 15_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return check();
}
